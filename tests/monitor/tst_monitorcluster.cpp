// SPDX-License-Identifier: MIT
#include "adminprompt.h"
#include "copyabletableview.h"
#include "engine.h"
#include "monitorwindow.h"
#include "nodetablemodel.h"
#include "postgresinstance.h"
#include "redisinstance.h"
#include "socketactions.h"
#include "sockettablemodel.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QAction>
#include <QApplication>
#include <QTabWidget>
#include <QTest>

#include <memory>

using namespace chatter::monitor;
using namespace chatter::server;

namespace {

//! Says yes to every confirmation; the other dialogs are not used here.
class ConfirmingPrompt : public AdminPrompt
{
public:
    QStringList asked;

    bool confirm(QWidget *, const QString &title, const QString &) override
    {
        asked.append(title);
        return true;
    }
    std::optional<QString> chooseTopic(QWidget *, const QStringList &) override { return {}; }
    std::optional<SystemMessageRequest> systemMessage(QWidget *, const QStringList &,
                                                      const QString &) override
    {
        return {};
    }
    std::optional<BanRequest> ban(QWidget *, const QString &, const QHostAddress &) override
    {
        return {};
    }
};

//! The row of `model` whose column `column` shows `text`, or -1.
int rowShowing(const QAbstractItemModel *model, int column, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, column).data().toString() == text)
            return row;
    }
    return -1;
}

} // namespace

//! The monitor of one node of a cluster (docs/cluster.md, "The monitor and the cluster"): two
//! engines on a real PostgreSQL and a real Redis the test starts, the window over node A. It
//! lists the nodes, the sockets of both with the node each is on, and disconnects a socket of
//! the other node.
class tst_MonitorCluster : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void showsTheNodesAndWhereEachSocketIs();
    void disconnectsASocketOfAnotherNode();
    void oneNodeAloneHasNoNodesTab();

private:
    PostgresInstance m_postgres;
    RedisInstance m_redis;
    std::unique_ptr<Engine> m_a;
    std::unique_ptr<Engine> m_b;
    std::unique_ptr<MonitorWindow> m_window;
    ConfirmingPrompt *m_prompt = nullptr;
    TestClient m_ann; //!< on A
    TestClient m_dan; //!< on B
};

void tst_MonitorCluster::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    const StoreLocation location = m_postgres.createDatabase(QStringLiteral("monitor"));
    for (std::unique_ptr<Engine> *node : {&m_a, &m_b}) {
        ServerConfig config = loopbackTestConfig();
        config.database = QStringLiteral("postgresql://%1@%2:%3/%4")
                              .arg(location.user, location.host)
                              .arg(location.port)
                              .arg(location.database);
        config.search = false;
        config.redis = m_redis.url() + QStringLiteral("/0");
        config.nodeName = node == &m_a ? QStringLiteral("node-a") : QStringLiteral("node-b");
        *node = std::make_unique<Engine>(config);
        QVERIFY2((*node)->start(), qPrintable((*node)->errorString()));
    }
    m_window = std::make_unique<MonitorWindow>(*m_a);
    auto prompt = std::make_unique<ConfirmingPrompt>();
    m_prompt = prompt.get();
    m_window->setPrompt(std::move(prompt));
    m_window->setRefreshInterval(200);
    m_window->show();
    QVERIFY(m_ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(m_dan.open(m_b->port(), QStringLiteral("dan")));
}

void tst_MonitorCluster::cleanupTestCase()
{
    m_window.reset();
    for (std::unique_ptr<Engine> *node : {&m_a, &m_b}) {
        if (*node)
            (*node)->stop(1012);
        node->reset();
    }
}

void tst_MonitorCluster::showsTheNodesAndWhereEachSocketIs()
{
    // The Nodes tab: this node first, then B with its connection count, from B's counters.
    NodeTableModel *nodes = m_window->nodeModel();
    QVERIFY2(nodes, "a node of a cluster has a Nodes tab");
    QVERIFY(m_window->nodesView());
    QTRY_VERIFY_WITH_TIMEOUT(rowShowing(nodes, NodeTableModel::Name, QStringLiteral("node-b")) >= 0,
                             10000);
    const int b = rowShowing(nodes, NodeTableModel::Name, QStringLiteral("node-b"));
    QTRY_COMPARE_WITH_TIMEOUT(nodes->index(b, NodeTableModel::Connections).data().toString(),
                              QStringLiteral("1"), 10000);
    QCOMPARE(nodes->index(b, NodeTableModel::Address).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(m_b->port()));
    QCOMPARE(nodes->index(0, NodeTableModel::Name).data().toString(),
             QStringLiteral("node-a (this node)"));
    QTRY_COMPARE(nodes->index(0, NodeTableModel::Connections).data().toString(),
                 QStringLiteral("1"));
    QCOMPARE(nodes->rowCount(), 2);

    // The Sockets table lists dan's socket on B beside ann's on A, each with its node.
    const SocketTableModel *sockets = m_window->socketModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("dan")) >= 0, 10000);
    const int dan = rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("dan"));
    QCOMPARE(sockets->index(dan, SocketTableModel::Node).data().toString(),
             QStringLiteral("node-b"));
    QTRY_VERIFY(rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("ann")) >= 0);
    const int ann = rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("ann"));
    QCOMPARE(sockets->index(ann, SocketTableModel::Node).data().toString(),
             QStringLiteral("node-a"));
    QVERIFY(!m_window->socketsView()->isColumnHidden(SocketTableModel::Node));
}

void tst_MonitorCluster::disconnectsASocketOfAnotherNode()
{
    const SocketTableModel *sockets = m_window->socketModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("dan")) >= 0, 10000);
    const SocketRow dan =
        sockets->rows().at(rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("dan")));
    QVERIFY(!dan.nodeId.isEmpty());
    QVERIFY(m_window->selectSocket(dan.id, dan.nodeId));
    // Its rooms are B's to change; a disconnect goes through the cluster.
    QVERIFY(!m_window->socketActions()->removeFromRoomAction()->isEnabled());
    QAction *disconnect = m_window->socketActions()->disconnectAction();
    QVERIFY(disconnect->isEnabled());
    disconnect->trigger();
    QCOMPARE(m_prompt->asked, QStringList{QStringLiteral("Disconnect socket")});
    QVERIFY2(m_dan.waitClosed(5000), "the monitor on A did not disconnect dan's socket on B");
    QCOMPARE(m_dan.closeCode(), 1001);
    QVERIFY(!m_ann.isClosed());
    QTRY_COMPARE_WITH_TIMEOUT(
        rowShowing(sockets, SocketTableModel::Nickname, QStringLiteral("dan")), -1, 10000);
}

void tst_MonitorCluster::oneNodeAloneHasNoNodesTab()
{
    Engine alone(loopbackTestConfig());
    QVERIFY(alone.start());
    MonitorWindow window(alone);
    QVERIFY(!window.nodeModel());
    QVERIFY(window.socketsView()->isColumnHidden(SocketTableModel::Node));
    alone.stop(1012);
}

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    tst_MonitorCluster test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_monitorcluster.moc"

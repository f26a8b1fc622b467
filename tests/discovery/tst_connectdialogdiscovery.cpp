// SPDX-License-Identifier: MIT
// The desktop client's connect dialog on a LAN with a Chatter server: the server appears in the
// list above the address, and picking it fills in its URL. Run by discovery-test.sh inside its
// network namespace (a real avahi-daemon there), with the name and URL to expect in
// CHATTER_EXPECT_SERVER and CHATTER_EXPECT_URL.
#include "connectdialog.h"
#include "discoveredservermodel.h"

#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QTest>

using chatter::client::DiscoveredServerModel;
using chatter::ui::ConnectDialog;

class tst_ConnectDialogDiscovery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void listsTheServerAndFillsItIn();
};

void tst_ConnectDialogDiscovery::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("chatter-test"));
    QVERIFY2(qEnvironmentVariableIsSet("CHATTER_EXPECT_SERVER"), "run by discovery-test.sh");
}

void tst_ConnectDialogDiscovery::listsTheServerAndFillsItIn()
{
    const QString name = qEnvironmentVariable("CHATTER_EXPECT_SERVER");
    const QString url = qEnvironmentVariable("CHATTER_EXPECT_URL");
    ConnectDialog dialog;
    dialog.show();
    auto *list = dialog.findChild<QListView *>(QStringLiteral("discoveredServers"));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("discoveryStatus"));
    auto *server = dialog.findChild<QLineEdit *>(QStringLiteral("serverEdit"));
    QVERIFY(list && status && server);
    DiscoveredServerModel *model = dialog.discoveredServers();
    QCOMPARE(list->model(), model);

    const auto rowOf = [&] {
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row).data(DiscoveredServerModel::NameRole).toString() == name)
                return row;
        }
        return -1;
    };
    QVERIFY2(QTest::qWaitFor([&] { return rowOf() >= 0; }, 20'000),
             qPrintable(QStringLiteral("not listed; status: ") + status->text()));
    QVERIFY(list->isVisible());
    QVERIFY(!status->isVisible());
    const QModelIndex index = model->index(rowOf());
    const QString line = index.data(Qt::DisplayRole).toString();
    QVERIFY2(line.startsWith(name) && line.contains(QStringLiteral("TLS")) &&
                 line.contains(QStringLiteral("online")),
             qPrintable(line));

    // The picture in docs/discovery.md: CHATTER_DIALOG_SCREENSHOT=<file.png>.
    if (const QString shot = qEnvironmentVariable("CHATTER_DIALOG_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(dialog.grab().save(shot));
    server->clear();
    list->scrollTo(index);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(index).center());
    QCOMPARE(server->text(), url);
}

QTEST_MAIN(tst_ConnectDialogDiscovery)
#include "tst_connectdialogdiscovery.moc"

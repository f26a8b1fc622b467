// SPDX-License-Identifier: MIT
#pragma once

#include "adminprompt.h"
#include "adminrecords.h"
#include "enginesnapshot.h"
#include "eventlog.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <memory>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTimer;

namespace chatter::server {
class Engine;
}

namespace chatter::monitor {

class AuditTableModel;
class BanTableModel;
class CopyableTableView;
class EventLogModel;
class HeaderPanel;
class MonitorStats;
class NodeTableModel;
class RoomTableModel;
class SocketActions;
class SocketTableModel;

//! The monitor window of chatter-server. It observes the engine and never sits on the message
//! path: a 4 Hz timer asks for a snapshot (gathered by the workers themselves) and takes the
//! batch of events recorded since the last tick; the models are updated once per snapshot.
class MonitorWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MonitorWindow(server::Engine &engine, QWidget *parent = nullptr);
    ~MonitorWindow() override;

    //! Replaces the confirmation and input dialogs of the admin actions (tests script them).
    void setPrompt(std::unique_ptr<AdminPrompt> prompt);
    //! Prints responsiveness figures to stderr once a second (see MonitorStats).
    void enableStats();
    void setRefreshInterval(int milliseconds);
    //! Asks for a snapshot and takes pending events now, instead of at the next tick.
    void refreshNow();
    //! Selects the socket's row in the (filtered, sorted) table; false if it is not shown.
    bool selectSocket(quint64 id, const QString &nodeId = {});
    //! Selects the stored ban's row in the Bans tab; false if it is not listed.
    bool selectBan(qint64 id);
    //! Reads the stored audit log again now (it is also read on admin events and every few s).
    void refreshAudit();

    HeaderPanel *header() const { return m_header; }
    SocketTableModel *socketModel() const { return m_socketModel; }
    QSortFilterProxyModel *socketProxy() const { return m_socketProxy; }
    CopyableTableView *socketsView() const { return m_socketsView; }
    QLineEdit *socketFilter() const { return m_socketFilter; }
    QAction *pauseSocketsAction() const { return m_pauseSockets; }
    SocketActions *socketActions() const { return m_actions; }
    RoomTableModel *roomModel() const { return m_roomModel; }
    CopyableTableView *roomsView() const { return m_roomsView; }
    EventLogModel *eventModel() const { return m_eventModel; }
    QSortFilterProxyModel *eventProxy() const { return m_eventProxy; }
    CopyableTableView *eventsView() const { return m_eventsView; }
    QLineEdit *eventFilter() const { return m_eventFilter; }
    QAction *pauseEventsAction() const { return m_pauseEvents; }
    QTabWidget *logTabs() const { return m_logTabs; }
    BanTableModel *banModel() const { return m_banModel; }
    CopyableTableView *bansView() const { return m_bansView; }
    AuditTableModel *auditModel() const { return m_auditModel; }
    CopyableTableView *auditView() const { return m_auditView; }
    //! In a cluster only (null otherwise): the Nodes tab's model and view.
    NodeTableModel *nodeModel() const { return m_nodeModel; }
    CopyableTableView *nodesView() const { return m_nodesView; }

Q_SIGNALS:
    //! The window was closed: the application stops the engine and quits.
    void closed();
    //! A snapshot reached the models (tests wait on it instead of on the clock).
    void snapshotApplied();
    //! A read of the stored audit log reached its table.
    void auditApplied();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildSocketsPane();
    QWidget *buildRoomsPane();
    QWidget *buildEventsPane();
    QWidget *buildBansPane();
    QWidget *buildAuditPane();
    QWidget *buildNodesPane();
    void refreshBans();
    void updateCurrentBan();
    void applyAudit(const QList<server::AuditRow> &entries);
    void refresh();
    void applySnapshot(const server::EngineSnapshot &snapshot);
    void pollEvents();
    void showEvents(const QList<server::EngineEvent> &events, qint64 dropped);
    void updateCurrentSocket();
    void updateSocketCount();
    void setEventsPaused(bool paused);

    server::Engine &m_engine;
    HeaderPanel *m_header = nullptr;
    SocketTableModel *m_socketModel = nullptr;
    QSortFilterProxyModel *m_socketProxy = nullptr;
    CopyableTableView *m_socketsView = nullptr;
    QLineEdit *m_socketFilter = nullptr;
    QLabel *m_socketCount = nullptr;
    QAction *m_pauseSockets = nullptr;
    SocketActions *m_actions = nullptr;
    RoomTableModel *m_roomModel = nullptr;
    QSortFilterProxyModel *m_roomProxy = nullptr;
    CopyableTableView *m_roomsView = nullptr;
    EventLogModel *m_eventModel = nullptr;
    QSortFilterProxyModel *m_eventProxy = nullptr;
    CopyableTableView *m_eventsView = nullptr;
    QLineEdit *m_eventFilter = nullptr;
    QAction *m_pauseEvents = nullptr;
    QLabel *m_eventCount = nullptr;
    QTabWidget *m_logTabs = nullptr;
    BanTableModel *m_banModel = nullptr;
    QSortFilterProxyModel *m_banProxy = nullptr;
    CopyableTableView *m_bansView = nullptr;
    AuditTableModel *m_auditModel = nullptr;
    CopyableTableView *m_auditView = nullptr;
    NodeTableModel *m_nodeModel = nullptr;
    CopyableTableView *m_nodesView = nullptr;
    QTimer *m_auditTimer = nullptr;
    QTimer *m_refreshTimer = nullptr;
    MonitorStats *m_stats = nullptr;
    //! One snapshot in flight at a time: a slow gather never piles requests up.
    bool m_snapshotPending = false;
    QElapsedTimer m_requestedAt;
    //! Events taken while the log is paused, shown on resume (bounded like the log).
    QList<server::EngineEvent> m_heldEvents;
    qint64 m_heldDropped = 0;
};

} // namespace chatter::monitor

// SPDX-License-Identifier: MIT
#include "monitorwindow.h"

#include "audittablemodel.h"
#include "bantablemodel.h"
#include "copyabletableview.h"
#include "engine.h"
#include "eventlogmodel.h"
#include "headerpanel.h"
#include "monitorstats.h"
#include "nodetablemodel.h"
#include "roomtablemodel.h"
#include "socketactions.h"
#include "sockettablemodel.h"

#include <QAction>
#include <QCloseEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace chatter::monitor {

using server::EngineEvent;
using server::EngineSnapshot;

namespace {

constexpr int RefreshMs = 250; // 4 Hz: live enough to read, cheap at 10,000 sockets
//! The audit log is read again on every admin event, and this often for what the engine does
//! not see (`chatter-server account ...` on the same database).
constexpr int AuditRefreshMs = 5000;
constexpr int AuditRows = 500;

QToolBar *paneToolBar(const QString &title, QWidget *parent)
{
    auto *bar = new QToolBar(parent);
    bar->setIconSize(QSize(16, 16));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *label = new QLabel(title, bar);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    label->setContentsMargins(4, 0, 10, 0);
    bar->addWidget(label);
    return bar;
}

QLineEdit *filterEdit(const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    edit->setMinimumWidth(200);
    edit->setMaximumWidth(320);
    return edit;
}

QWidget *spacer(QWidget *parent)
{
    auto *s = new QWidget(parent);
    s->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    return s;
}

QWidget *pane(QToolBar *bar, QWidget *view, QWidget *parent)
{
    auto *w = new QWidget(parent);
    auto *layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(bar);
    layout->addWidget(view);
    return w;
}

QSortFilterProxyModel *filterProxy(QAbstractItemModel *source, int sortRole, QObject *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(source);
    proxy->setFilterKeyColumn(-1); // every column
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setSortRole(sortRole);
    proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    return proxy;
}

// Typing a filter re-filters up to 10,000 rows; wait for a pause in typing.
void connectDebouncedFilter(QLineEdit *edit, QSortFilterProxyModel *proxy)
{
    auto *debounce = new QTimer(edit);
    debounce->setSingleShot(true);
    debounce->setInterval(150);
    QObject::connect(edit, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    QObject::connect(debounce, &QTimer::timeout, proxy,
                     [edit, proxy] { proxy->setFilterFixedString(edit->text()); });
    // Clearing is instant: nothing to wait for.
    QObject::connect(edit, &QLineEdit::textChanged, proxy, [proxy, debounce](const QString &text) {
        if (text.isEmpty()) {
            debounce->stop();
            proxy->setFilterFixedString(QString());
        }
    });
}

} // namespace

MonitorWindow::MonitorWindow(server::Engine &engine, QWidget *parent)
    : QMainWindow(parent), m_engine(engine)
{
    m_engine.events().startReading(); // the engine keeps events only for a reader
    setWindowTitle(tr("Chatter server — port %1").arg(engine.port()));
    m_header = new HeaderPanel(this);
    const QString fingerprint = engine.tlsFingerprint();
    m_header->setEndpoint(engine.config().bindAddress, engine.port(), !fingerprint.isEmpty());
    m_header->setTlsFingerprint(fingerprint);
    // SIGHUP may put a new certificate in use.
    connect(&engine, &server::Engine::tlsCertificateChanged, m_header,
            &HeaderPanel::setTlsFingerprint);
    m_header->setStartedAt(engine.startedAt());
    m_header->setListening(engine.isListening());
    connect(m_header, &HeaderPanel::listeningToggled, this, [this](bool on) {
        if (!m_engine.setListening(on))
            m_eventModel->appendNote(tr("cannot listen again: %1").arg(m_engine.errorString()));
        m_header->setListening(m_engine.isListening());
        pollEvents();
    });

    m_socketModel = new SocketTableModel(this);
    m_roomModel = new RoomTableModel(this);
    m_eventModel = new EventLogModel(10'000, this);
    m_banModel = new BanTableModel(this);
    m_auditModel = new AuditTableModel(this);
    m_actions = new SocketActions(engine, this);
    m_actions->setRoomSource([this] { return m_roomModel->roomNames(); });

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(buildRoomsPane());
    m_logTabs = new QTabWidget(this);
    m_logTabs->setDocumentMode(true);
    m_logTabs->addTab(buildEventsPane(), tr("Events"));
    m_logTabs->addTab(buildBansPane(), tr("Bans"));
    m_logTabs->addTab(buildAuditPane(), tr("Audit"));
    // A cluster's nodes, with what each publishes every 2 s (docs/cluster.md).
    if (engine.isClustered())
        m_logTabs->addTab(buildNodesPane(), tr("Nodes"));
    bottom->addWidget(m_logTabs);
    bottom->setStretchFactor(0, 2);
    bottom->setStretchFactor(1, 3);
    bottom->setSizes({520, 760});
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(buildSocketsPane());
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_header);
    layout->addWidget(split, 1);
    setCentralWidget(central);
    resize(1280, 820);

    // The engine delivers snapshots on its own (main) thread; the GUI thread only renders them.
    connect(&engine, &server::Engine::snapshotReady, this, &MonitorWindow::applySnapshot);
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(RefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MonitorWindow::refresh);
    m_refreshTimer->start();
    // Bans change by the monitor, by admin sockets and by expiring: on change and every tick.
    connect(&engine, &server::Engine::bansChanged, this, &MonitorWindow::refreshBans);
    connect(&engine, &server::Engine::auditReady, this, &MonitorWindow::applyAudit);
    m_auditTimer = new QTimer(this);
    m_auditTimer->setInterval(AuditRefreshMs);
    connect(m_auditTimer, &QTimer::timeout, this, &MonitorWindow::refreshAudit);
    m_auditTimer->start();
    refresh();
    refreshAudit();
}

MonitorWindow::~MonitorWindow() = default;

QWidget *MonitorWindow::buildSocketsPane()
{
    m_socketProxy = filterProxy(m_socketModel, SocketTableModel::SortRole, this);
    m_socketsView = new CopyableTableView(this);
    m_socketsView->setModel(m_socketProxy);
    m_socketsView->setSortingEnabled(true);
    m_socketsView->sortByColumn(SocketTableModel::Id, Qt::AscendingOrder);
    m_socketsView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_socketsView->addActions(m_actions->actions());
    auto *separator = new QAction(m_socketsView);
    separator->setSeparator(true);
    m_socketsView->addAction(separator);
    m_socketsView->addAction(m_socketsView->copyAction());
    const QFontMetrics fm = m_socketsView->fontMetrics();
    QHeaderView *header = m_socketsView->horizontalHeader();
    const auto width = [&](const char *sample) {
        return fm.horizontalAdvance(QLatin1String(sample)) + 24;
    };
    header->resizeSection(SocketTableModel::Id, width("00000"));
    header->resizeSection(SocketTableModel::Node, width("node-name__"));
    // Which node a socket is on means something in a cluster only.
    m_socketsView->setColumnHidden(SocketTableModel::Node, !m_engine.isClustered());
    header->resizeSection(SocketTableModel::Peer, width("192.168.1.100:65535"));
    header->resizeSection(SocketTableModel::Nickname, width("nickname__"));
    header->resizeSection(SocketTableModel::Client, width("desktop"));
    header->resizeSection(SocketTableModel::Transport, width("websocket"));
    header->resizeSection(SocketTableModel::Protocol, width("Protocol"));
    header->resizeSection(SocketTableModel::ConnectedSince, width("Connected"));
    header->resizeSection(SocketTableModel::Topics, width("#lobby, #general"));
    for (int c : {SocketTableModel::MessagesIn, SocketTableModel::MessagesOut})
        header->resizeSection(c, width("Msgs out"));
    for (int c : {SocketTableModel::BytesIn, SocketTableModel::BytesOut})
        header->resizeSection(c, width("999.9 KB"));
    header->resizeSection(SocketTableModel::LastHeartbeat, width("Heartbeat"));
    connect(m_socketsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MonitorWindow::updateCurrentSocket);
    connect(m_socketProxy, &QAbstractItemModel::rowsInserted, this,
            &MonitorWindow::updateSocketCount);
    connect(m_socketProxy, &QAbstractItemModel::rowsRemoved, this,
            &MonitorWindow::updateSocketCount);
    connect(m_socketProxy, &QAbstractItemModel::modelReset, this,
            &MonitorWindow::updateSocketCount);
    connect(m_socketProxy, &QAbstractItemModel::layoutChanged, this,
            &MonitorWindow::updateSocketCount);

    QToolBar *bar = paneToolBar(tr("Sockets"), this);
    bar->addActions(m_actions->actions());
    bar->addSeparator();
    m_pauseSockets =
        bar->addAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")), tr("Pause"));
    m_pauseSockets->setCheckable(true);
    m_pauseSockets->setToolTip(tr("Freeze the sockets table (totals and charts keep updating)"));
    connect(m_pauseSockets, &QAction::toggled, this, [this](bool paused) {
        m_pauseSockets->setText(paused ? tr("Paused") : tr("Pause"));
        updateSocketCount();
    });
    bar->addWidget(spacer(bar));
    m_socketCount = new QLabel(bar);
    m_socketCount->setForegroundRole(QPalette::PlaceholderText);
    m_socketCount->setContentsMargins(0, 0, 8, 0);
    bar->addWidget(m_socketCount);
    m_socketFilter = filterEdit(tr("Filter sockets (any column)"), bar);
    bar->addWidget(m_socketFilter);
    connectDebouncedFilter(m_socketFilter, m_socketProxy);
    updateSocketCount();
    return pane(bar, m_socketsView, this);
}

QWidget *MonitorWindow::buildRoomsPane()
{
    m_roomProxy = filterProxy(m_roomModel, RoomTableModel::SortRole, this);
    m_roomsView = new CopyableTableView(this);
    m_roomsView->setModel(m_roomProxy);
    m_roomsView->setSortingEnabled(true);
    m_roomsView->sortByColumn(RoomTableModel::Members, Qt::DescendingOrder);
    m_roomsView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_roomsView->addAction(m_actions->systemMessageAction());
    m_roomsView->addAction(m_roomsView->copyAction());
    {
        const QFontMetrics fm = m_roomsView->fontMetrics();
        QHeaderView *header = m_roomsView->horizontalHeader();
        header->resizeSection(RoomTableModel::Topic,
                              fm.horizontalAdvance(QStringLiteral("chatter:room:general")) + 12);
        for (int c : {RoomTableModel::Members, RoomTableModel::PerMinute, RoomTableModel::Messages})
            header->resizeSection(c, fm.horizontalAdvance(QStringLiteral("Messages")) + 20);
    }
    connect(m_roomsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_actions->setSuggestedRoom(current.data(RoomTableModel::NameRole).toString());
            });

    QToolBar *bar = paneToolBar(tr("Rooms"), this);
    bar->addAction(m_actions->systemMessageAction());
    return pane(bar, m_roomsView, this);
}

QWidget *MonitorWindow::buildEventsPane()
{
    m_eventProxy = filterProxy(m_eventModel, Qt::DisplayRole, this);
    m_eventsView = new CopyableTableView(this);
    m_eventsView->setModel(m_eventProxy);
    m_eventsView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_eventsView->addAction(m_eventsView->copyAction());
    const QFontMetrics fm = m_eventsView->fontMetrics();
    QHeaderView *header = m_eventsView->horizontalHeader();
    header->resizeSection(EventLogModel::Time,
                          fm.horizontalAdvance(QStringLiteral("00:00:00.000")) + 20);
    header->resizeSection(EventLogModel::Kind,
                          fm.horizontalAdvance(QStringLiteral("protocol error")) + 20);
    header->resizeSection(EventLogModel::Socket,
                          fm.horizontalAdvance(QStringLiteral("Socket__")) + 12);
    header->resizeSection(EventLogModel::User,
                          fm.horizontalAdvance(QStringLiteral("nickname__")) + 20);
    header->resizeSection(EventLogModel::Topic,
                          fm.horizontalAdvance(QStringLiteral("chatter:room:lobby")) + 20);

    QToolBar *bar = paneToolBar(tr("Event log"), this);
    m_pauseEvents =
        bar->addAction(QIcon::fromTheme(QStringLiteral("media-playback-pause")), tr("Pause"));
    m_pauseEvents->setCheckable(true);
    m_pauseEvents->setToolTip(tr("Hold new events back (they are kept and shown on resume)"));
    connect(m_pauseEvents, &QAction::toggled, this, &MonitorWindow::setEventsPaused);
    QAction *clear = bar->addAction(QIcon::fromTheme(QStringLiteral("edit-clear")), tr("Clear"));
    connect(clear, &QAction::triggered, this, [this] {
        m_eventModel->clear();
        m_eventCount->setText(tr("%L1 events").arg(0));
    });
    bar->addWidget(spacer(bar));
    m_eventCount = new QLabel(bar);
    m_eventCount->setForegroundRole(QPalette::PlaceholderText);
    m_eventCount->setContentsMargins(0, 0, 8, 0);
    bar->addWidget(m_eventCount);
    m_eventFilter = filterEdit(tr("Filter events"), bar);
    bar->addWidget(m_eventFilter);
    connectDebouncedFilter(m_eventFilter, m_eventProxy);
    return pane(bar, m_eventsView, this);
}

QWidget *MonitorWindow::buildNodesPane()
{
    m_nodeModel = new NodeTableModel(this);
    m_nodeModel->applyNodes(m_engine.nodes());
    connect(&m_engine, &server::Engine::nodesChanged, m_nodeModel, &NodeTableModel::applyNodes);
    auto *proxy = filterProxy(m_nodeModel, NodeTableModel::SortRole, this);
    m_nodesView = new CopyableTableView(this);
    m_nodesView->setModel(proxy);
    m_nodesView->setSortingEnabled(true);
    m_nodesView->sortByColumn(NodeTableModel::Name, Qt::AscendingOrder);
    m_nodesView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_nodesView->addAction(m_nodesView->copyAction());
    const QFontMetrics fm = m_nodesView->fontMetrics();
    QHeaderView *header = m_nodesView->horizontalHeader();
    header->resizeSection(NodeTableModel::Name,
                          fm.horizontalAdvance(QStringLiteral("node-name (this node)")) + 20);
    header->resizeSection(NodeTableModel::Address,
                          fm.horizontalAdvance(QStringLiteral("127.0.0.1:40000")) + 20);
    QToolBar *bar = paneToolBar(tr("Nodes of the cluster"), this);
    return pane(bar, m_nodesView, this);
}

QWidget *MonitorWindow::buildBansPane()
{
    m_banProxy = filterProxy(m_banModel, BanTableModel::SortRole, this);
    m_bansView = new CopyableTableView(this);
    m_bansView->setModel(m_banProxy);
    m_bansView->setSortingEnabled(true);
    m_bansView->sortByColumn(BanTableModel::Since, Qt::DescendingOrder);
    m_bansView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_bansView->addAction(m_actions->liftBanAction());
    m_bansView->addAction(m_bansView->copyAction());
    const QFontMetrics fm = m_bansView->fontMetrics();
    QHeaderView *header = m_bansView->horizontalHeader();
    header->resizeSection(BanTableModel::Target,
                          fm.horizontalAdvance(QStringLiteral("nickname__")) + 40);
    header->resizeSection(BanTableModel::Reason,
                          fm.horizontalAdvance(QStringLiteral("a reason of some length")));
    connect(m_bansView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MonitorWindow::updateCurrentBan);
    connect(m_banProxy, &QAbstractItemModel::rowsRemoved, this, &MonitorWindow::updateCurrentBan);

    QToolBar *bar = paneToolBar(tr("Stored bans"), this);
    bar->addAction(m_actions->liftBanAction());
    return pane(bar, m_bansView, this);
}

QWidget *MonitorWindow::buildAuditPane()
{
    m_auditView = new CopyableTableView(this);
    m_auditView->setModel(m_auditModel);
    m_auditView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_auditView->addAction(m_auditView->copyAction());
    const QFontMetrics fm = m_auditView->fontMetrics();
    QHeaderView *header = m_auditView->horizontalHeader();
    header->resizeSection(AuditTableModel::Time,
                          fm.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + 20);
    header->resizeSection(AuditTableModel::Action,
                          fm.horizontalAdvance(QStringLiteral("login_failed")) + 20);

    QToolBar *bar = paneToolBar(tr("Audit log (stored, newest first)"), this);
    QAction *reload =
        bar->addAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh"));
    connect(reload, &QAction::triggered, this, &MonitorWindow::refreshAudit);
    return pane(bar, m_auditView, this);
}

void MonitorWindow::refreshBans()
{
    m_banModel->applyBans(m_engine.activeBans());
    updateCurrentBan();
}

void MonitorWindow::updateCurrentBan()
{
    const QModelIndexList selected = m_bansView->selectionModel()->selectedRows();
    std::optional<server::BanRow> ban;
    if (!selected.isEmpty()) {
        const qint64 id = selected.first().data(BanTableModel::IdRole).toLongLong();
        const int row = m_banModel->rowOfKey(id);
        if (row >= 0)
            ban = m_banModel->rows().at(row);
    }
    m_actions->setCurrentBan(ban);
}

bool MonitorWindow::selectBan(qint64 id)
{
    const int sourceRow = m_banModel->rowOfKey(id);
    if (sourceRow < 0)
        return false;
    const QModelIndex index = m_banProxy->mapFromSource(m_banModel->index(sourceRow, 0));
    if (!index.isValid())
        return false;
    m_bansView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
    return true;
}

void MonitorWindow::refreshAudit()
{
    m_engine.requestAudit(AuditRows);
}

void MonitorWindow::applyAudit(const QList<server::AuditRow> &entries)
{
    m_auditModel->applyEntries(entries);
    Q_EMIT auditApplied();
}

void MonitorWindow::setPrompt(std::unique_ptr<AdminPrompt> prompt)
{
    m_actions->setPrompt(std::move(prompt));
}

void MonitorWindow::enableStats()
{
    if (!m_stats)
        m_stats = new MonitorStats(this);
}

void MonitorWindow::setRefreshInterval(int milliseconds)
{
    m_refreshTimer->setInterval(milliseconds);
}

void MonitorWindow::refreshNow()
{
    refresh();
}

void MonitorWindow::refresh()
{
    // A gather that never completes (engine stopped meanwhile) must not block refreshes forever.
    if (!m_snapshotPending || m_requestedAt.elapsed() > 5000) {
        m_snapshotPending = true;
        m_requestedAt.start();
        m_engine.requestSnapshot();
    }
    pollEvents();
    m_header->setListening(m_engine.isListening());
}

void MonitorWindow::applySnapshot(const EngineSnapshot &snapshot)
{
    m_snapshotPending = false;
    QElapsedTimer timer;
    timer.start();
    m_header->showSnapshot(snapshot);
    if (!m_pauseSockets->isChecked()) {
        m_socketModel->applySnapshot(snapshot.sockets);
        updateCurrentSocket();
        updateSocketCount();
    }
    m_roomModel->applySnapshot(snapshot.rooms, snapshot.takenAt);
    refreshBans(); // bans that expired since go
    if (m_stats)
        m_stats->noteUpdate(timer.nsecsElapsed(), snapshot.sockets.size(), snapshot.rooms.size());
    Q_EMIT snapshotApplied();
}

void MonitorWindow::pollEvents()
{
    qint64 dropped = 0;
    const QList<EngineEvent> events = m_engine.events().take(&dropped);
    if (events.isEmpty() && dropped == 0)
        return;
    // Admin events mirror audit entries: the stored log has something new.
    if (std::any_of(events.cbegin(), events.cend(),
                    [](const EngineEvent &e) { return e.kind == EngineEvent::Kind::Admin; }))
        refreshAudit();
    if (m_pauseEvents->isChecked()) {
        m_heldEvents.append(events);
        m_heldDropped += dropped;
        const qsizetype overflow = m_heldEvents.size() - m_eventModel->capacity();
        if (overflow > 0) {
            m_heldEvents.remove(0, overflow);
            m_heldDropped += overflow;
        }
        m_pauseEvents->setText(tr("Paused (%L1 new)").arg(m_heldEvents.size()));
        return;
    }
    showEvents(events, dropped);
}

void MonitorWindow::showEvents(const QList<EngineEvent> &events, qint64 dropped)
{
    // Follow the tail only if the reader is already there; otherwise keep their place.
    QScrollBar *bar = m_eventsView->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    if (dropped > 0)
        m_eventModel->appendNote(
            tr("%L1 events not shown: they came faster than the log keeps").arg(dropped));
    m_eventModel->append(events);
    if (atBottom)
        m_eventsView->scrollToBottom();
    m_eventCount->setText(tr("%L1 events").arg(m_eventModel->rowCount()));
}

void MonitorWindow::setEventsPaused(bool paused)
{
    m_pauseEvents->setText(paused ? tr("Paused") : tr("Pause"));
    if (paused)
        return;
    const QList<EngineEvent> held = std::exchange(m_heldEvents, {});
    showEvents(held, std::exchange(m_heldDropped, 0));
}

void MonitorWindow::updateCurrentSocket()
{
    const QModelIndexList selected = m_socketsView->selectionModel()->selectedRows();
    if (selected.isEmpty()) {
        m_actions->setCurrentSocket(std::nullopt);
        return;
    }
    const quint64 id = selected.first().data(SocketTableModel::IdRole).toULongLong();
    const QString node = selected.first().data(SocketTableModel::NodeIdRole).toString();
    m_actions->setCurrentSocket(m_socketModel->socket(id, node));
}

void MonitorWindow::updateSocketCount()
{
    const int shown = m_socketProxy->rowCount();
    const int total = m_socketModel->rowCount();
    QString text = shown == total ? tr("%L1 sockets").arg(total)
                                  : tr("%L1 of %L2 sockets").arg(shown).arg(total);
    if (m_pauseSockets && m_pauseSockets->isChecked())
        text += tr(" · paused");
    m_socketCount->setText(text);
}

bool MonitorWindow::selectSocket(quint64 id, const QString &nodeId)
{
    const int sourceRow = m_socketModel->rowOfKey({id, nodeId});
    if (sourceRow < 0)
        return false;
    const QModelIndex index = m_socketProxy->mapFromSource(m_socketModel->index(sourceRow, 0));
    if (!index.isValid())
        return false;
    m_socketsView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                QItemSelectionModel::Rows);
    m_socketsView->scrollTo(index);
    return true;
}

void MonitorWindow::closeEvent(QCloseEvent *event)
{
    m_refreshTimer->stop();
    m_auditTimer->stop();
    event->accept();
    Q_EMIT closed();
}

} // namespace chatter::monitor

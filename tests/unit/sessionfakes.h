// SPDX-License-Identifier: MIT
// Small fakes of what a SocketSession and its channels reach, so that the protocol rules and
// the chat contract are tested without a Worker, an Engine, threads or sockets. Everything
// behind them is real: the channel router, the local fan-out, presence, the room directory and
// a SQLite history in a temporary directory.
#pragma once

#include "accountdirectory.h"
#include "batchsender.h"
#include "broadcast.h"
#include "channelcontext.h"
#include "channelrouter.h"
#include "connection.h"
#include "events.h"
#include "historyreader.h"
#include "localfanout.h"
#include "messagestore.h"
#include "nicknamepolicy.h"
#include "presencetracker.h"
#include "roomdirectory.h"
#include "serverconfig.h"
#include "sessioncontext.h"
#include "socketsession.h"
#include "subscription.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <list>
#include <memory>

namespace chatter::testing {

using namespace chatter::server;

class FakeConnection;

inline const Serializer *v2()
{
    return Serializer::forVersion(Serializer::Version::V2);
}

//! The session side of a worker: configuration, a real router and a real LocalFanout (its
//! BatchSender disabled, so every delivery is a plain sendPrebuilt()).
class FakeSessionContext final : public SessionContext
{
public:
    struct Recorded
    {
        EngineEvent::Kind kind;
        QString topic;
        QString text;
    };

    ServerConfig serverConfig;
    ChannelRouter router;
    //! The context channels are created with; set by FakeChannelContext.
    ChannelContext *channels = nullptr;
    QList<Recorded> events;
    //! Live connections by id, for deferred replies.
    QHash<quint64, FakeConnection *> connections;
    //! Topics a join must wait for (a cluster's subscription on its way), and the waits asked.
    QSet<QString> unreadyTopics;
    QStringList awaited;

    FakeSessionContext() : m_batch(false), m_fanout(m_batch, [](const QString &, bool) {}) {}

    LocalFanout &fanout() { return m_fanout; }

    const ServerConfig &config() const override { return serverConfig; }
    std::unique_ptr<Channel> createChannel(SocketSession &session, const QString &topic) override
    {
        return router.create(session, *channels, topic);
    }
    void subscribe(Subscription &subscription) override { m_fanout.subscribe(subscription); }
    void unsubscribe(Subscription &subscription) override { m_fanout.unsubscribe(subscription); }
    bool awaitTopic(const QString &topic, quint64) override
    {
        if (!unreadyTopics.contains(topic))
            return true;
        awaited.append(topic);
        return false;
    }
    void record(EngineEvent::Kind kind, const ConnectInfo &, const QString &topic,
                const QString &text) override
    {
        events.append({kind, topic, text});
    }
    bool recorded(EngineEvent::Kind kind) const
    {
        return std::any_of(events.cbegin(), events.cend(),
                           [kind](const Recorded &r) { return r.kind == kind; });
    }

private:
    BatchSender m_batch;
    LocalFanout m_fanout;
};

//! One client: records everything the session sends it and owns that session.
class FakeConnection final : public Connection
{
public:
    FakeConnection(FakeSessionContext &context, const QString &user,
                   const QString &clientKind = QStringLiteral("desktop"),
                   const QString &role = QStringLiteral("guest"), qint64 accountId = 0)
        : m_context(context)
    {
        static quint64 lastId = 0;
        m_info.id = ++lastId;
        m_info.user = user;
        m_info.role = role;
        m_info.accountId = accountId;
        // Enough of a look-alike key for tests: the identity of a bare guest (authorship).
        m_info.skeleton = user.toCaseFolded();
        m_info.peerAddress = QHostAddress(QHostAddress::LocalHost);
        m_info.clientKind = clientKind;
        m_info.serializer = v2();
        m_info.connectedAt = QDateTime::currentDateTimeUtc();
        m_session = std::make_unique<SocketSession>(*this, context, m_info);
        m_context.connections.insert(m_info.id, this);
    }
    ~FakeConnection() override
    {
        m_context.connections.remove(m_info.id);
        m_session.reset(); // its channels leave their topics and presence now
    }

    QList<Frame> frames;
    QList<quint16> closeCodes;
    //! Every setInputPaused() call, in order.
    QList<bool> inputPaused;

    void sendFrame(const Frame &frame) override { frames.append(frame); }
    void sendPrebuilt(const Frame &frame, const QByteArray &) override { frames.append(frame); }
    void closeWith(quint16 code, const QString &) override { closeCodes.append(code); }
    SocketSession &session() override { return *m_session; }
    const ConnectInfo &info() const override { return m_info; }
    bool isClosing() const override { return !closeCodes.isEmpty(); }
    void sweep(const ServerConfig &) override {}
    qint64 queuedBytes() const override { return 0; }
    void setInputPaused(bool paused) override { inputPaused.append(paused); }

    //! `[joinRef, ref, topic, event, payload]` as a V2 text frame from the client.
    void send(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
              const QString &event, const QJsonValue &payload = QJsonObject())
    {
        const QByteArray text =
            QJsonDocument(QJsonArray{joinRef, ref, topic, event, payload}).toJson();
        const auto handled = m_session->handleFrame(text, false);
        QVERIFY2(handled, qPrintable(handled ? QString() : handled.error()));
    }
    //! phx_join with `joinRef` as both refs, as phoenix.js sends it.
    void join(const QString &topic, const QString &joinRef,
              const QJsonObject &payload = QJsonObject())
    {
        send(joinRef, joinRef, topic, QString(events::Join), payload);
    }

    //! The frames received since the last call, decoded with the V2 serializer.
    QList<Message> take()
    {
        QList<Message> messages;
        for (const Frame &frame : std::exchange(frames, {})) {
            DecodeResult decoded = v2()->decodeText(frame.data);
            if (!decoded)
                qFatal("undecodable frame from the server: %s", qPrintable(decoded.error()));
            messages.append(*decoded);
        }
        return messages;
    }

private:
    FakeSessionContext &m_context;
    ConnectInfo m_info;
    std::unique_ptr<SocketSession> m_session;
};

//! The channel side of a worker: real presence, directory and history (a SQLite file written by
//! a real MessageStore on this thread); appends wait until the test commits or fails them;
//! publishing delivers through the session context's LocalFanout at once.
class FakeChannelContext final : public ChannelContext
{
public:
    struct Append
    {
        StoredMessage message;
        AppendDone done;
    };
    struct Diff
    {
        QString topic;
        QJsonObject diff;
    };

    QList<Append> appends;
    //! Every diff queued, in order (also those already published).
    QList<Diff> queuedDiffs;
    QList<Message> published;
    QStringList disconnected;

    explicit FakeChannelContext(FakeSessionContext &sessions)
        : m_sessions(sessions), m_store(storeOptions(m_dir)), m_history(m_store.options().location)
    {
        m_sessions.channels = this;
        if (!m_dir.isValid())
            qFatal("cannot create a directory for the test history");
        if (const auto opened = m_store.open(); !opened)
            qFatal("cannot open the test history: %s", qPrintable(opened.error()));
    }
    ~FakeChannelContext() override { m_sessions.channels = nullptr; }

    HistoryReader &history() override { return m_history; }
    AccountDirectory *accounts() override { return &m_accounts; }
    void registerAccount(qint64 id, const QString &display, const QString &role)
    {
        m_accounts.putAccount({id, display, role, NicknamePolicy::keys(display).keys(), {}});
    }
    void append(StoredMessage message, AppendDone done) override
    {
        appends.append({std::move(message), std::move(done)});
    }
    //! Straight to the real store: the test waits for `done` (waitForChanges()).
    void change(MessageChange change, ChangeDone done) override
    {
        ++changesPending;
        m_store.change(std::move(change), &m_callbacks,
                       [this, done = std::move(done)](const ChangeOutcome &outcome) {
                           --changesPending;
                           done(outcome);
                       });
    }
    //! Waits until every change handed to the store has run its callback.
    void waitForChanges()
    {
        if (!QTest::qWaitFor([this] { return changesPending == 0; }, 5000))
            qFatal("the test history did not commit a change");
    }
    int changesPending = 0;
    PresenceTracker &presence() override { return m_presence; }
    RoomDirectory &directory() override { return m_directory; }

    //! What Worker::publish does, less PubSub: waiting presence first, then the V2 frame must
    //! exist (else the reason), then every local subscriber.
    Expected<void> publish(const std::shared_ptr<const Broadcast> &broadcast) override
    {
        const Message &message = broadcast->message();
        if (message.event != events::PresenceDiff)
            flushPresenceDiff(message.topic);
        if (!broadcast->frameFor(v2()))
            return failure(broadcast->encodeError(v2()));
        published.append(message);
        m_sessions.fanout().deliver(*broadcast);
        return {};
    }
    //! Kept as the objects the diffs' text stands for (the worker's text is PresenceDiffBuffer's,
    //! tested there).
    void queuePresenceDiff(const QString &topic, const PresenceDiff &diff) override
    {
        queuedDiffs.append({topic, diff.toJson()});
        m_waitingDiffs.append({topic, diff.toJson()});
    }
    //! Unmerged: each waiting diff of `topic` goes out as its own presence_diff.
    void flushPresenceDiff(const QString &topic) override
    {
        QList<Diff> due;
        m_waitingDiffs.removeIf([&](const Diff &d) {
            if (d.topic != topic)
                return false;
            due.append(d);
            return true;
        });
        for (const Diff &d : std::as_const(due))
            publish(Broadcast::create(Message::broadcast(topic, events::PresenceDiff, d.diff)));
    }
    void completeReply(const ReplyHandle &handle, const ChannelReply &reply) override
    {
        if (FakeConnection *connection = m_sessions.connections.value(handle.connectionId))
            connection->session().completeDeferred(handle, reply);
    }
    void disconnectSocketId(const QString &socketId) override { disconnected.append(socketId); }

    //! Every waiting presence diff goes out, as the worker's timer would do.
    void flushAllPresenceDiffs()
    {
        while (!m_waitingDiffs.isEmpty())
            flushPresenceDiff(m_waitingDiffs.first().topic);
    }

    //! Commits the append at `index` through the real store: it gets its id, becomes history,
    //! and its callback runs as the worker's would. Returns the id.
    qint64 commit(qsizetype index = 0)
    {
        Append append = appends.takeAt(index);
        qint64 id = 0;
        m_store.append(append.message, &m_callbacks, [&](const StoredMessage &m, bool committed) {
            if (!committed)
                qFatal("the test history could not commit");
            id = m.id;
            append.done(m, committed);
        });
        if (!QTest::qWaitFor([&] { return id > 0; }, 5000))
            qFatal("the test history did not commit");
        return id;
    }
    //! The store could not commit the append at `index`.
    void fail(qsizetype index = 0)
    {
        Append append = appends.takeAt(index);
        append.done(append.message, false);
    }
    //! Writes history directly: `count` messages by `user` in `room`; returns their ids.
    QList<qint64> store(const QString &room, int count, const QString &user = QStringLiteral("x"))
    {
        QList<qint64> ids;
        for (int i = 1; i <= count; ++i) {
            const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
            m_store.append(StoredMessage{0, room, user, QStringLiteral("m%1").arg(i), at},
                           &m_callbacks, [&ids](const StoredMessage &m, bool committed) {
                               ids.append(committed ? m.id : -1);
                           });
        }
        if (!QTest::qWaitFor([&] { return ids.size() == count; }, 5000))
            qFatal("the test history did not commit");
        return ids;
    }

private:
    static MessageStore::Options storeOptions(const QTemporaryDir &dir)
    {
        MessageStore::Options options;
        options.location = StoreLocation::sqlite(dir.filePath(QStringLiteral("history.sqlite")));
        options.fullSync = false;
        return options;
    }

    FakeSessionContext &m_sessions;
    QTemporaryDir m_dir;
    Mailbox m_callbacks{nullptr}; //!< the "worker" the store hands its results to
    PresenceTracker m_presence;
    RoomDirectory m_directory;
    MessageStore m_store;
    HistoryReader m_history;
    AccountDirectory m_accounts{30, 10};
    QList<Diff> m_waitingDiffs;
};

//! A worker's worth of fakes and the clients connected to it. Members are destroyed in
//! reverse: the clients (and their channels, which leave presence) first.
struct SessionFixture
{
    FakeSessionContext sessions;
    FakeChannelContext channels{sessions};
    std::list<FakeConnection> clients;

    //! Routes are the test's to add.
    explicit SessionFixture(const ServerConfig &config = {}) { sessions.serverConfig = config; }
    FakeConnection &connect(const QString &user, const QString &clientKind = "desktop",
                            const QString &role = "guest", qint64 accountId = 0)
    {
        return clients.emplace_back(sessions, user, clientKind, role, accountId);
    }
    //! A registered account (in the context's AccountDirectory) and a socket signed in as it.
    FakeConnection &connectAccount(const QString &user, qint64 accountId,
                                   const QString &role = "member")
    {
        channels.registerAccount(accountId, user, role);
        return connect(user, "desktop", role, accountId);
    }
    //! The client goes away: its session ends every channel.
    void disconnect(FakeConnection &client)
    {
        clients.remove_if([&](const FakeConnection &c) { return &c == &client; });
    }
};

//! A message as its V2 array, compact: `["1","2","test:a","phx_reply",{...}]`.
inline QString wire(const Message &m)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{m.joinRef, m.ref, m.topic, m.event, m.payload})
            .toJson(QJsonDocument::Compact));
}

inline QStringList wires(const QList<Message> &messages)
{
    QStringList out;
    for (const Message &m : messages)
        out.append(wire(m));
    return out;
}

//! `text` in the same form as wire(): keys sorted, no spaces.
inline QString json(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad expectation %s: %s", text.constData(), qPrintable(error.errorString()));
    return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
}

inline QStringList json(std::initializer_list<const char *> texts)
{
    QStringList out;
    for (const char *text : texts)
        out.append(json(text));
    return out;
}

} // namespace chatter::testing

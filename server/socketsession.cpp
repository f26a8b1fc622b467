// SPDX-License-Identifier: MIT
#include "socketsession.h"

#include "broadcast.h"
#include "channelrouter.h"
#include "connection.h"
#include "events.h"
#include "logging.h"
#include "monotonicclock.h"
#include "serverconfig.h"
#include "sessioncontext.h"

namespace chatter::server {
namespace {

//! Requests of one client waiting for their answers (messages being stored) before its input
//! is paused, and the number it must be back to before reading resumes. A person has one or
//! two at a time.
constexpr size_t PauseInputAt = 256;
constexpr size_t ResumeInputAt = 64;

//! Keeps `frame` until the subscription's join reply is out.
void holdFrame(Subscription &subscription, const Frame &frame)
{
    if (!subscription.pendingFrames)
        subscription.pendingFrames = std::make_unique<QList<Frame>>();
    subscription.pendingFrames->append(frame);
}

} // namespace

SocketSession::SocketSession(Connection &connection, SessionContext &context, ConnectInfo info)
    : m_connection(connection), m_context(context), m_info(std::move(info)),
      m_flood(context.config().maxMessagesPerSecond, context.config().messageBurst),
      m_lastActivityNs(monotonicNs())
{}

SocketSession::~SocketSession()
{
    shutdown(QStringLiteral("closed"));
}

Expected<void> SocketSession::handleFrame(QByteArrayView data, bool binary)
{
    const Serializer *serializer = m_info.serializer;
    DecodeResult decoded = binary ? serializer->decodeBinary(data) : serializer->decodeText(data);
    if (!decoded)
        return failure(decoded.error());
    handle(*decoded);
    return {};
}

void SocketSession::handle(const Message &message)
{
    if (m_shutDown)
        return;
    if (message.isHeartbeat()) {
        m_lastHeartbeat = QDateTime::currentDateTimeUtc();
        send(Message::reply(QJsonValue::Null, message.ref, message.topic, QStringLiteral("ok")));
        return;
    }
    m_lastActivityNs = monotonicNs();
    if (m_autoAway)
        setAutoAway(false);
    if (!takeToken()) {
        // A flood is answered, not processed: nothing is stored or broadcast for it.
        send(Message::reply(
            message.joinRef, message.ref, message.topic, QStringLiteral("error"),
            QJsonObject{{QStringLiteral("reason"), QStringLiteral("rate limited")}}));
        return;
    }
    if (m_heldForJoin) {
        if (m_heldForJoin->size() >= PauseInputAt) {
            m_context.noteRateLimited();
            send(Message::reply(
                message.joinRef, message.ref, message.topic, QStringLiteral("error"),
                QJsonObject{{QStringLiteral("reason"), QStringLiteral("rate limited")}}));
            return;
        }
        m_heldForJoin->push_back(message);
        return;
    }
    dispatch(message);
}

void SocketSession::resumeAfterTopicWait()
{
    if (!m_heldForJoin)
        return;
    const std::vector<Message> held = std::move(*std::exchange(m_heldForJoin, nullptr));
    for (size_t i = 0; i < held.size() && !m_shutDown; ++i) {
        if (m_heldForJoin)
            m_heldForJoin->push_back(held[i]); // a later join waits in turn
        else if (i == 0)
            handleJoin(held[i]); // the join that waited goes on, whether or not it is ready
        else
            dispatch(held[i]);
    }
}

void SocketSession::dispatch(const Message &message)
{
    if (message.event == events::Join) {
        if (!m_context.awaitTopic(message.topic, m_info.id)) {
            m_heldForJoin = std::make_unique<std::vector<Message>>();
            m_heldForJoin->push_back(message);
            return;
        }
        handleJoin(message);
        return;
    }
    auto it = m_channels.find(message.topic);
    if (it == m_channels.end()) {
        if (message.event == events::Leave) {
            // Leaving what is not joined is fine: ok, echoing the request's join_ref, no close.
            send(Message::reply(message.joinRef, message.ref, message.topic, QStringLiteral("ok")));
            return;
        }
        send(Message::reply(
            QJsonValue::Null, message.ref, message.topic, QStringLiteral("error"),
            QJsonObject{{QStringLiteral("reason"), QStringLiteral("unmatched topic")}}));
        return;
    }
    // A frame from an older join of this topic lost a race with the server; drop it silently.
    Entry &entry = it->second;
    if (!message.joinRef.isNull() && !Message::sameRef(message.joinRef, entry.channel->joinRef())) {
        qCDebug(lcProtocol).noquote()
            << "socket" << m_info.id << "dropped" << message.event << "on" << message.topic
            << "with stale join_ref" << Message::refText(message.joinRef);
        return;
    }
    if (message.event == events::Leave)
        handleLeave(message, entry);
    else
        handleEvent(message, entry);
}

void SocketSession::handleJoin(const Message &message)
{
    const QString &topic = message.topic;
    const QJsonValue joinRef = message.joinRef.isNull() ? message.ref : message.joinRef;

    // A duplicate join replaces the old instance; its phx_close goes out after the new reply so
    // that the client, which already tracks the new join_ref, ignores it.
    std::optional<QJsonValue> replacedJoinRef;
    if (auto old = m_channels.find(topic); old != m_channels.end()) {
        replacedJoinRef = old->second.channel->joinRef();
        removeChannel(topic, QStringLiteral("duplicate_join"));
    }
    auto sendReplacedClose = [&] {
        if (replacedJoinRef)
            send(Message::channelControl(*replacedJoinRef, topic, events::Close));
    };

    auto refuse = [&](const QJsonValue &replyJoinRef, const QJsonObject &response,
                      const QString &why) {
        m_context.record(EngineEvent::Kind::Refused, m_info, topic,
                         QStringLiteral("join refused: %1").arg(why));
        send(Message::reply(replyJoinRef, message.ref, topic, QStringLiteral("error"), response));
        sendReplacedClose();
    };

    if (int(m_channels.size()) >= m_context.config().maxChannelsPerSocket) {
        refuse(joinRef, {{QStringLiteral("reason"), QStringLiteral("too many channels joined")}},
               QStringLiteral("too many channels joined"));
        return;
    }
    std::unique_ptr<Channel> channel = m_context.createChannel(*this, topic);
    if (!channel) {
        refuse(QJsonValue::Null, {{QStringLiteral("reason"), QStringLiteral("unmatched topic")}},
               QStringLiteral("unmatched topic"));
        return;
    }
    channel->setJoinRef(joinRef);
    Channel *raw = channel.get();
    Entry &entry = m_channels[topic];
    entry.channel = std::move(channel);
    entry.subscription = Subscription{this, raw, nullptr, raw->intercepts(), true};
    // Subscribed before join() runs so that its own broadcasts reach this client too; they wait
    // in `pendingFrames` until the reply is out.
    m_context.subscribe(entry.subscription);

    JoinResult result;
    try {
        result = raw->join(message.payload);
    } catch (const std::exception &e) {
        m_context.record(EngineEvent::Kind::ProtocolError, m_info, topic,
                         QStringLiteral("join crashed: %1").arg(QString::fromUtf8(e.what())));
        m_context.unsubscribe(entry.subscription);
        m_channels.erase(topic);
        refuse(joinRef, {{QStringLiteral("reason"), QStringLiteral("join crashed")}},
               QStringLiteral("join crashed"));
        return;
    }
    if (!result.accepted) {
        m_context.unsubscribe(entry.subscription);
        m_channels.erase(topic);
        refuse(joinRef, result.response.toObject(),
               result.response.toObject().value(QLatin1String("reason")).toString());
        return;
    }

    m_context.record(EngineEvent::Kind::Join, m_info, topic, {});
    send(Message::reply(joinRef, message.ref, topic, QStringLiteral("ok"), result.response),
         [this, topic, id = raw->id()] { finishJoin(topic, id); });
    sendReplacedClose();
}

void SocketSession::finishJoin(const QString &topic, quint64 channelId)
{
    // By id, not address: a left and rejoined topic may get a channel at the same address,
    // whose own join must not be finished by its predecessor's reply.
    auto it = m_channels.find(topic);
    if (m_shutDown || it == m_channels.end() || it->second.channel->id() != channelId)
        return;
    Subscription &subscription = it->second.subscription;
    subscription.joining = false;
    const QList<Frame> pending = subscription.pendingFrames
                                     ? std::move(*std::exchange(subscription.pendingFrames, {}))
                                     : QList<Frame>();
    for (const Frame &frame : pending)
        m_connection.sendFrame(frame);
    try {
        it->second.channel->afterJoin();
    } catch (const std::exception &e) {
        crash(topic, QString::fromUtf8(e.what()));
    }
}

void SocketSession::handleLeave(const Message &message, Entry &entry)
{
    const QJsonValue joinRef = entry.channel->joinRef();
    const QString topic = message.topic;
    send(Message::reply(joinRef, message.ref, topic, QStringLiteral("ok")));
    send(Message::channelControl(joinRef, topic, events::Close));
    removeChannel(topic, QStringLiteral("left"));
    m_context.record(EngineEvent::Kind::Leave, m_info, topic, {});
}

void SocketSession::handleEvent(const Message &message, Entry &entry)
{
    Channel *channel = entry.channel.get();
    const QJsonValue joinRef = channel->joinRef();
    const QString topic = message.topic;
    const ReplyHandle handle{m_info.id, m_nextSequence++, joinRef, message.ref, topic};
    HandleResult result;
    try {
        result = channel->handleIn(InboundEvent{message.event, message.payload,
                                                message.binaryPayload, message.binary, handle});
    } catch (const std::exception &e) {
        crash(topic, QString::fromUtf8(e.what()));
        return;
    }
    if (result.deferred) {
        m_ordered.push_back(Ordered{handle.sequence, false, std::nullopt, {}});
        pauseInputIfBehind();
    }
    if (result.reply)
        replyTo(message, joinRef, *result.reply);
    if (result.stop) {
        send(Message::channelControl(joinRef, topic, events::Close));
        removeChannel(topic, QStringLiteral("stopped"));
    }
}

void SocketSession::crashLater(const Channel &channel, const QString &why)
{
    // Not now: the broadcast may come from this very channel's join() or handleIn(), which are
    // still running and must not see their channel destroyed (as a closing socket's shutdown is
    // deferred). On the next turn the topic crashes if it still has this channel.
    QMetaObject::invokeMethod(
        &m_connection,
        [this, topic = channel.topic(), id = channel.id(), why] {
            const auto it = m_channels.find(topic);
            if (it != m_channels.end() && it->second.channel->id() == id)
                crash(topic, why);
        },
        Qt::QueuedConnection);
}

void SocketSession::crash(const QString &topic, const QString &why)
{
    auto it = m_channels.find(topic);
    if (it == m_channels.end())
        return;
    const QJsonValue joinRef = it->second.channel->joinRef();
    m_context.record(EngineEvent::Kind::ProtocolError, m_info, topic,
                     QStringLiteral("channel crashed: %1").arg(why));
    send(Message::channelControl(joinRef, topic, events::Error,
                                 {{QStringLiteral("reason"), QStringLiteral("channel_crash")}}));
    removeChannel(topic, QStringLiteral("crashed"));
}

Message SocketSession::replyMessage(const QJsonValue &joinRef, const QJsonValue &ref,
                                    const QString &topic, const ChannelReply &reply) const
{
    return reply.binary
               ? Message::binaryReply(joinRef, ref, topic, reply.status, reply.binaryResponse)
               : Message::reply(joinRef, ref, topic, reply.status, reply.response);
}

void SocketSession::replyTo(const Message &request, const QJsonValue &joinRef,
                            const ChannelReply &reply)
{
    if (const auto sent = send(replyMessage(joinRef, request.ref, request.topic, reply)); !sent) {
        send(Message::reply(joinRef, request.ref, request.topic, QStringLiteral("error"),
                            QJsonObject{{QStringLiteral("reason"), sent.error()}}));
    }
}

void SocketSession::completeDeferred(const ReplyHandle &handle, const ChannelReply &reply)
{
    if (m_shutDown)
        return;
    auto it = std::find_if(m_ordered.begin(), m_ordered.end(), [&](const Ordered &o) {
        return o.sequence == handle.sequence && !o.ready;
    });
    if (it == m_ordered.end())
        return;
    EncodeResult encoded =
        m_info.serializer->encode(replyMessage(handle.joinRef, handle.ref, handle.topic, reply));
    if (!encoded) {
        encoded = m_info.serializer->encode(
            Message::reply(handle.joinRef, handle.ref, handle.topic, QStringLiteral("error"),
                           QJsonObject{{QStringLiteral("reason"), encoded.error()}}));
    }
    if (encoded)
        it->frame = std::move(*encoded);
    it->ready = true;
    flushOrdered();
}

void SocketSession::sendOrdered(Frame frame, std::function<void()> after)
{
    if (m_ordered.empty()) {
        m_connection.sendFrame(frame);
        if (after)
            after();
        return;
    }
    m_ordered.push_back(Ordered{0, true, std::move(frame), std::move(after)});
    pauseInputIfBehind();
}

void SocketSession::pauseInputIfBehind()
{
    if (m_inputPaused || m_ordered.size() < PauseInputAt)
        return;
    // Reading on would only pile the client's requests up here; the rest waits in TCP. Its
    // flood limit is credited for the pause, which is the server's delay, not a flood.
    m_inputPaused = true;
    m_flood.pause(monotonicNs());
    m_connection.setInputPaused(true);
}

void SocketSession::flushOrdered()
{
    while (!m_ordered.empty() && m_ordered.front().ready) {
        Ordered item = std::move(m_ordered.front());
        m_ordered.erase(m_ordered.begin());
        if (item.frame)
            m_connection.sendFrame(*item.frame);
        if (item.after)
            item.after();
    }
    if (m_ordered.empty())
        std::vector<Ordered>().swap(m_ordered); // an idle socket holds no queue
    if (m_inputPaused && m_ordered.size() <= ResumeInputAt) {
        m_inputPaused = false;
        m_flood.resume(monotonicNs());
        m_connection.setInputPaused(false);
    }
}

void SocketSession::removeChannel(const QString &topic, const QString &reason)
{
    auto it = m_channels.find(topic);
    if (it == m_channels.end())
        return;
    std::unique_ptr<Channel> channel = std::move(it->second.channel);
    m_context.unsubscribe(it->second.subscription);
    m_channels.erase(it);
    try {
        channel->terminate(reason);
    } catch (const std::exception &e) {
        qCWarning(lcChannel).noquote() << "terminate failed: topic" << topic << e.what();
    }
}

bool SocketSession::removeFromTopic(const QString &topic, const QString &reason)
{
    auto it = m_channels.find(topic);
    if (m_shutDown || it == m_channels.end())
        return false;
    send(Message::channelControl(it->second.channel->joinRef(), topic, events::Close));
    removeChannel(topic, reason);
    return true;
}

void SocketSession::shutdown(const QString &reason)
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    m_ordered.clear();
    for (const QString &topic : topics())
        removeChannel(topic, reason);
}

Expected<void> SocketSession::send(const Message &message, std::function<void()> after)
{
    EncodeResult encoded = m_info.serializer->encode(message);
    if (!encoded) {
        qCWarning(lcProtocol).noquote() << "socket" << m_info.id << "cannot encode" << message.event
                                        << "on" << message.topic << ":" << encoded.error();
        return failure(encoded.error());
    }
    sendOrdered(std::move(*encoded), std::move(after));
    return {};
}

SocketSession::Entry *SocketSession::entryOf(const Channel &channel)
{
    auto it = m_channels.find(channel.topic());
    return it != m_channels.end() && it->second.channel.get() == &channel ? &it->second : nullptr;
}

Expected<void> SocketSession::pushFromChannel(Channel &channel, const Message &message)
{
    Entry *entry = entryOf(channel);
    if (m_shutDown || !entry)
        return failure(QStringLiteral("not joined"));
    EncodeResult encoded = m_info.serializer->encode(message);
    if (!encoded)
        return failure(encoded.error());
    deliver(entry->subscription, *encoded);
    return {};
}

void SocketSession::deliverBroadcast(Subscription &subscription, const Broadcast &broadcast)
{
    // The hot path of every fan-out: the fan-out only lists live subscriptions, so no lookup
    // is needed here.
    if (m_shutDown)
        return;
    const Message &message = broadcast.message();
    if (!subscription.intercepts.isEmpty() && !message.binary &&
        subscription.intercepts.contains(message.event)) {
        try {
            subscription.channel->handleOut(message.event, message.payload.toObject());
        } catch (const std::exception &e) {
            crashLater(*subscription.channel, QString::fromUtf8(e.what()));
        }
        return;
    }
    const Frame *frame = broadcast.frameFor(m_info.serializer);
    if (!frame) {
        qCDebug(lcProtocol).noquote() << "socket" << m_info.id << "skipped" << message.event << ":"
                                      << broadcast.encodeError(m_info.serializer);
        return;
    }
    if (subscription.joining)
        holdFrame(subscription, *frame);
    else
        m_connection.sendPrebuilt(*frame, broadcast.webSocketFrameFor(m_info.serializer));
}

const ServerConfig &SocketSession::config() const
{
    return m_context.config();
}

bool SocketSession::takeRoomCreation()
{
    if (m_roomCreations.take(monotonicNs(), config().roomCreationsPerMinute / 60.0,
                             config().roomCreationsPerMinute))
        return true;
    const qint64 second = QDateTime::currentSecsSinceEpoch();
    if (second != m_lastCreationLog) {
        m_lastCreationLog = second;
        m_context.record(EngineEvent::Kind::ProtocolError, m_info, {},
                         QStringLiteral("room creations: over %1 per minute - refusing joins of "
                                        "new rooms")
                             .arg(config().roomCreationsPerMinute));
    }
    return false;
}

void SocketSession::checkAway(qint64 afterMs)
{
    if (m_autoAway || m_shutDown || afterMs <= 0)
        return;
    if (monotonicNs() - m_lastActivityNs >= afterMs * 1'000'000)
        setAutoAway(true);
}

void SocketSession::setAutoAway(bool away)
{
    m_autoAway = away;
    for (auto &[topic, entry] : m_channels) {
        try {
            entry.channel->setAutoAway(away);
        } catch (const std::exception &e) {
            crashLater(*entry.channel, QString::fromUtf8(e.what()));
        }
    }
}

bool SocketSession::takeToken()
{
    const ServerConfig &config = m_context.config();
    if (m_flood.take(monotonicNs()))
        return true;
    m_context.noteRateLimited();
    const qint64 second = QDateTime::currentSecsSinceEpoch();
    if (second != m_lastFloodLog) {
        m_lastFloodLog = second;
        m_context.record(EngineEvent::Kind::ProtocolError, m_info, {},
                         QStringLiteral("flood: over %1 messages/s - answering 'rate limited'")
                             .arg(config.maxMessagesPerSecond));
    }
    return false;
}

QStringList SocketSession::topics() const
{
    QStringList names;
    names.reserve(qsizetype(m_channels.size()));
    for (const auto &[topic, entry] : m_channels)
        names.append(topic);
    return names;
}

void SocketSession::deliver(Subscription &subscription, const Frame &frame)
{
    if (subscription.joining)
        holdFrame(subscription, frame);
    else
        m_connection.sendFrame(frame);
}

} // namespace chatter::server

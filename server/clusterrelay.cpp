// SPDX-License-Identifier: MIT
#include "clusterrelay.h"

#include "broadcast.h"
#include "clusterbus.h"
#include "clusterenvelope.h"
#include "clusterpresence.h"
#include "events.h"
#include "historyreader.h"
#include "logging.h"
#include "mailbox.h"
#include "pubsub.h"
#include "roomchannel.h"
#include "roomdirectory.h"
#include "roomdirectorychannel.h"
#include "topics.h"

#include <QJsonDocument>
#include <QTimer>

namespace chatter::server {
namespace {

//! Fills that still leave messages waiting before the room's clients are asked to rejoin.
constexpr int MaxFillTries = 3;

} // namespace

ClusterRelay::ClusterRelay(PubSub &pubsub, ClusterBus &bus, StoreLocation store,
                           const FileUrlSigner *signer, QObject *parent)
    : QObject(parent), m_pubsub(pubsub), m_bus(bus), m_store(std::move(store)), m_signer(signer),
      m_nodeId(QUuid::createUuid()), m_mailbox(new Mailbox(this)),
      // Ordered deliveries go to every worker through its mailbox, the origin's too: posted
      // under the sequencer's lock, they reach each worker in id order. (Delivering on the
      // origin at once would let its own next message overtake one queued for it.)
      m_sequencer([&pubsub](const std::shared_ptr<const Broadcast> &broadcast) {
          pubsub.publish(broadcast, nullptr);
      })
{}

ClusterRelay::~ClusterRelay() = default;

void ClusterRelay::publishLocal(const std::shared_ptr<const Broadcast> &broadcast, Worker *origin)
{
    const Message &message = broadcast->message();
    if (message.binary) {
        m_pubsub.publish(broadcast, origin);
        return;
    }
    if (message.event == events::PresenceDiff) {
        m_pubsub.publish(broadcast, origin);
        auto envelope = ClusterEnvelope::fromBroadcast(ClusterEnvelope::Type::PresenceDiff,
                                                       m_nodeId, *broadcast);
        if (!envelope)
            return;
        // The hash in Redis changes with the diff (ClusterPresence), on the cluster thread.
        m_mailbox->post([this, broadcast, bytes = envelope->encode()] {
            const Message &m = broadcast->message();
            const QJsonObject payload = m.payloadJson.isEmpty()
                                            ? m.payload.toObject()
                                            : QJsonDocument::fromJson(m.payloadJson).object();
            if (!m_presence ||
                !m_presence->publishOwn(m.topic, payload, m_bus.channelOf(m.topic), bytes))
                m_bus.publish(m.topic, bytes);
        });
        return;
    }
    using Type = ClusterEnvelope::Type;
    const auto &order = broadcast->order();
    Expected<ClusterEnvelope> envelope =
        order ? ClusterEnvelope::fromBroadcast(Type::RoomMessage, m_nodeId, *broadcast,
                                               quint64(order->id), quint64(order->prevId))
              : ClusterEnvelope::fromBroadcast(Type::Other, m_nodeId, *broadcast);
    if (order) {
        const QString room = topics::conversationKey(message.topic);
        if (m_sequencer.offer(room, broadcast))
            scheduleFill(room);
    } else {
        m_pubsub.publish(broadcast, origin);
    }
    if (!envelope) {
        qCWarning(lcCluster).noquote()
            << "a broadcast on" << message.topic << "stays on this node:" << envelope.error();
        return;
    }
    m_bus.publish(message.topic, envelope->encode());
}

void ClusterRelay::receive(const QString &topic, const QByteArray &payload)
{
    if (m_stopped)
        return;
    Expected<ClusterEnvelope> decoded = ClusterEnvelope::decode(payload);
    if (!decoded) {
        if (m_refused++ % 1000 == 0)
            qCWarning(lcCluster).noquote()
                << "refused an envelope on" << topic << "from Redis:" << decoded.error() << "("
                << m_refused << "so far)";
        return;
    }
    ClusterEnvelope &envelope = *decoded;
    if (envelope.originNode == m_nodeId)
        return; // delivered here when it was published
    if (envelope.message.topic != topic) {
        ++m_refused;
        qCWarning(lcCluster).noquote() << "refused an envelope for" << envelope.message.topic
                                       << "published on the channel of" << topic;
        return;
    }
    if (envelope.type == ClusterEnvelope::Type::RoomMessage) {
        const QString room = topics::conversationKey(topic);
        if (room.isEmpty()) {
            ++m_refused;
            return;
        }
        auto broadcast =
            Broadcast::fromV2Frame(std::move(envelope.message), std::move(envelope.frame),
                                   Broadcast::Order{qint64(envelope.id), qint64(envelope.prevId)});
        if (m_sequencer.offer(room, broadcast))
            scheduleFill(room);
        return;
    }
    if (m_directory && topic == topics::Rooms &&
        (envelope.message.event == events::RoomUpdate ||
         envelope.message.event == RoomDirectoryChannel::PrivateRoomUpdate))
        m_directory->applyRemote(envelope.message.payload.toObject());
    auto broadcast = Broadcast::fromV2Frame(std::move(envelope.message), std::move(envelope.frame));
    if (envelope.type == ClusterEnvelope::Type::PresenceDiff && m_presence) {
        m_presence->receive(topic, envelope.originNode, broadcast);
        return;
    }
    m_pubsub.publish(broadcast, nullptr);
}

void ClusterRelay::topicReady(const QString &topic, std::function<void()> done)
{
    if (m_stopped) {
        done();
        return;
    }
    const QString room = topics::conversationKey(topic);
    if (!room.isEmpty())
        readBaseline(room);
    // The waiting joins go on once the topic's presence is here too.
    if (m_presence)
        m_presence->snapshot(topic, std::move(done));
    else
        done();
}

void ClusterRelay::readBaseline(const QString &room)
{
    // Read after the subscription is confirmed: every message committed later reaches this
    // node on Redis, every one before is at or below this id — which a join reads, as the
    // joins waiting for this topic run only after this.
    const auto row = history().room(room);
    // Edits, deletions and reactions are not replayed from the database the way messages are
    // (they carry no order between nodes yet). A baseline read again is a resubscription after
    // Redis was away, when another node's change broadcasts may have gone nowhere: if the
    // room's change sequence moved since the last baseline, its clients here are asked to
    // rejoin, and the join's `last_change_seq` brings them what changed. Changes that were
    // delivered live make such a rejoin unnecessary but harmless.
    const qint64 changeSeq = history().changeSeq(room);
    const auto known = m_changeSeqs.constFind(room);
    const bool changesMayBeMissed = known != m_changeSeqs.cend() && changeSeq > *known;
    m_changeSeqs.insert(room, changeSeq);
    if (m_sequencer.baseline(room, row ? row->lastMessageId : 0))
        fill(room);
    if (changesMayBeMissed)
        askToRejoin(room, "its changes moved while Redis was away");
}

void ClusterRelay::topicDropped(const QString &topic)
{
    const QString room = topics::conversationKey(topic);
    if (!room.isEmpty()) {
        m_sequencer.forget(room);
        m_fillTries.remove(room);
        m_changeSeqs.remove(room);
    }
    if (m_presence)
        m_presence->dropped(topic);
}

void ClusterRelay::stop()
{
    m_stopped = true;
    m_history.reset();
}

void ClusterRelay::scheduleFill(const QString &room)
{
    m_mailbox->post([this, room] {
        QTimer::singleShot(GapHoldMs, Qt::PreciseTimer, this, [this, room] { fill(room); });
    });
}

void ClusterRelay::fill(const QString &room)
{
    const auto gap = m_stopped ? std::nullopt : m_sequencer.fillFrom(room);
    if (!gap) {
        m_fillTries.remove(room);
        return;
    }
    const HistoryPage page = history().after(room, gap->after, MaxFill);
    std::vector<std::shared_ptr<const Broadcast>> read;
    read.reserve(size_t(page.messages.size()));
    qint64 newest = 0;
    for (const StoredMessage &m : page.messages) {
        newest = std::max(newest, m.id);
        // Deleted before this node saw it: nothing to show; the head still moves past it.
        if (!m.deleted)
            read.push_back(RoomChannel::newMessageBroadcast(m, m.isSystem()));
    }
    switch (m_sequencer.fill(room, read, newest, !page.more)) {
    case RoomSequencer::Filled::Closed:
        if (!read.empty())
            qCInfo(lcCluster).noquote()
                << "filled" << read.size() << "messages of" << room << "from the database";
        m_fillTries.remove(room);
        return;
    case RoomSequencer::Filled::Again:
        if (++m_fillTries[room] < MaxFillTries) {
            QTimer::singleShot(GapHoldMs, Qt::PreciseTimer, this, [this, room] { fill(room); });
            return;
        }
        m_sequencer.abandon(room);
        break;
    case RoomSequencer::Filled::Lost:
        break;
    }
    m_fillTries.remove(room);
    askToRejoin(room, "its gap is too large to replay");
}

void ClusterRelay::askToRejoin(const QString &room, const char *why)
{
    qCWarning(lcCluster).noquote() << "the clients of" << room << "are asked to rejoin:" << why;
    m_pubsub.publish(Broadcast::create(Message::broadcast(topics::conversationTopic(room),
                                                          events::Error, QJsonObject())),
                     nullptr);
}

HistoryReader &ClusterRelay::history()
{
    if (!m_history)
        m_history = std::make_unique<HistoryReader>(m_store, m_signer);
    return *m_history;
}

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include "roomsequencer.h"
#include "storelocation.h"

#include <QHash>
#include <QObject>
#include <QUuid>

#include <memory>

namespace chatter::server {

class Broadcast;
class ClusterBus;
class ClusterPresence;
class FileUrlSigner;
class HistoryReader;
class Mailbox;
class PubSub;
class RoomDirectory;
class Worker;

//! Broadcasts between this node and the others (docs/cluster.md, "Message format" and
//! "Ordering across nodes"). Out: a worker's broadcast is delivered here and published as a
//! ClusterEnvelope on its topic's channel. In: another node's envelope becomes a Broadcast
//! with its V2 frame as received and is delivered to the local subscribers. Conversations'
//! committed messages, from here or elsewhere, go through the RoomSequencer, whose gaps this
//! relay fills from the database.
//!
//! Lives on the cluster thread (its reader, its timers); publishLocal() is called by workers,
//! on theirs.
class ClusterRelay : public QObject
{
    Q_OBJECT
public:
    //! A held message waits this long for the ones before it before the gap is read.
    static constexpr int GapHoldMs = 50;
    //! A gap larger than this is not replayed: the room's subscribers rejoin instead.
    static constexpr int MaxFill = 1000;

    ClusterRelay(PubSub &pubsub, ClusterBus &bus, StoreLocation store, const FileUrlSigner *signer,
                 QObject *parent = nullptr);
    ~ClusterRelay() override;

    //! This process's id in envelopes: made at start, so a restarted node is a new origin.
    const QUuid &nodeId() const { return m_nodeId; }

    //! Any thread (a worker): delivers `broadcast` here, in order for committed messages, and
    //! publishes it to the other nodes. Binary broadcasts stay on this node (no V2 JSON frame
    //! to carry).
    void publishLocal(const std::shared_ptr<const Broadcast> &broadcast, Worker *origin);

    //! Cluster thread: an envelope from Redis.
    void receive(const QString &topic, const QByteArray &payload);
    //! Cluster thread, before anything arrives: presence across nodes (a child of its own).
    void setPresence(ClusterPresence *presence) { m_presence = presence; }
    //! Other nodes' `room_update`s on `chatter:rooms` keep this node's room list the cluster's.
    void setDirectory(RoomDirectory *directory) { m_directory = directory; }
    //! Cluster thread: the bus confirmed `topic` (first time, or after a redial): a
    //! conversation's baseline is read, and what this node missed meanwhile is filled; the
    //! topic's presence is snapshotted; then `done`.
    void topicReady(const QString &topic, std::function<void()> done);
    //! Cluster thread: unsubscribed.
    void topicDropped(const QString &topic);
    //! Cluster thread: closes the reader.
    void stop();

    //! For tests: the sequencer's view.
    const RoomSequencer &sequencer() const { return m_sequencer; }
    //! How many envelopes from Redis were refused as malformed.
    qint64 refusedEnvelopes() const { return m_refused; }

private:
    //! Cluster thread: reads the room's newest id (the sequencer's baseline), fills if behind.
    void readBaseline(const QString &room);
    //! Any thread: a gap fill for `room` after GapHoldMs.
    void scheduleFill(const QString &room);
    //! Cluster thread.
    void fill(const QString &room);
    HistoryReader &history();
    //! Tells `room`'s local subscribers to rejoin (phoenix.js does on phx_error); `why` is
    //! logged.
    void askToRejoin(const QString &room, const char *why);

    PubSub &m_pubsub;
    ClusterBus &m_bus;
    ClusterPresence *m_presence = nullptr;
    RoomDirectory *m_directory = nullptr;
    StoreLocation m_store;
    const FileUrlSigner *m_signer;
    QUuid m_nodeId;
    Mailbox *m_mailbox;
    RoomSequencer m_sequencer;
    std::unique_ptr<HistoryReader> m_history; //!< cluster thread; opened on the first read
    QHash<QString, int> m_fillTries;          //!< cluster thread: reads of a gap that stayed
    //! Cluster thread: a subscribed room's change sequence as its last baseline read it.
    QHash<QString, qint64> m_changeSeqs;
    qint64 m_refused = 0;
    bool m_stopped = false; //!< cluster thread: the workers are going; nothing more for them
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "message.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QUuid>

namespace chatter::server {

class Broadcast;

//! One broadcast as a node PUBLISHes it to the others on Redis (docs/cluster.md, "Message
//! format"). All integers big-endian:
//!
//!     offset  size  field
//!          0     2  "CH"
//!          2     1  version (1)
//!          3     1  type (Type below)
//!          4    16  origin node (QUuid, RFC 4122 byte order; never the null id)
//!         20     8  origin channel id (0 = none)
//!         28     8  ordered types only: id (room message) or seq (change), > 0
//!         36     8  ordered types only: prev_id or prev_seq, < id
//!  28 or 44   1..   the V2 JSON text frame [null, null, topic, event, payload], to the end
//!
//! The frame runs to the end of the payload (Redis keeps the length), so it is exactly one
//! JSON array: its first byte is `[`, its last `]`; anything after it is refused. A value
//! type, any thread.
struct ClusterEnvelope
{
    enum class Type : quint8
    {
        RoomMessage = 1, //!< new_msg and system messages, ordered by the room's message id
        Change = 2,      //!< msg_edited, msg_deleted, reactions, ordered by the room's seq
        PresenceDiff = 3,
        Other = 4 //!< typing, room_update, personal-topic events: no order across nodes
    };
    static constexpr char Magic[] = "CH";
    static constexpr quint8 Version = 1;
    static constexpr qsizetype HeaderSize = 28;        //!< up to the frame, unordered types
    static constexpr qsizetype OrderedHeaderSize = 44; //!< with id and prev_id

    //! Whether envelopes of this type carry id and prev_id (the per-room sequencer's order).
    static bool isOrdered(Type type) { return type == Type::RoomMessage || type == Type::Change; }

    Type type = Type::Other;
    //! The publishing node: a QUuid::createUuid() made once per process start, so a restarted
    //! node is a new origin and a node can tell (and skip) its own envelopes coming back.
    QUuid originNode;
    //! The Channel::id() that must not get the broadcast (broadcast_from), 0 for none. Means
    //! something on the origin node only; other nodes deliver to all their subscribers.
    quint64 originChannel = 0;
    quint64 id = 0;     //!< id or seq; 0 for unordered types (not on the wire)
    quint64 prevId = 0; //!< prev_id or prev_seq; 0 for unordered types (not on the wire)
    //! The V2 JSON text frame, byte for byte what a V2 JSON subscriber gets: the receiving
    //! node puts these bytes into its Broadcast's V2 frame cache untouched.
    QByteArray frame;
    //! The frame decoded (a Kind::Broadcast, refs null): filled by decode() and
    //! fromBroadcast(); encode() writes `frame` only. decode() has to parse the frame to
    //! check it anyway, and the receiving node needs the Message for its topic, for channels
    //! that look at events, and for its V1 and V2-binary subscribers; returning it saves a
    //! second parse of every envelope.
    Message message;

    //! The PUBLISH payload. Writes the fields as they are: fromBroadcast() and decode() are
    //! what guarantee an envelope that decodes again.
    QByteArray encode() const;
    //! Reads a PUBLISH payload, refusing (with the reason) a short one, another magic, an
    //! unknown version or type, ordered ids that cannot be (id 0, prev_id >= id), the null
    //! origin, a missing frame, and a frame that is not exactly `[null, null, "topic",
    //! "event", payload]` in valid UTF-8 (parsed by V2Serializer).
    static Expected<ClusterEnvelope> decode(QByteArrayView bytes);

    //! The envelope for a broadcast of this node, its frame the Broadcast's cached V2 frame
    //! (encoded once for local V2 subscribers and Redis alike, shared, not copied). Ordered
    //! types need `id` > 0 and `prevId` < `id`; the others take neither. Refused: a binary
    //! broadcast (no V2 JSON frame), a message that cannot be encoded, the null origin.
    static Expected<ClusterEnvelope> fromBroadcast(Type type, const QUuid &originNode,
                                                   const Broadcast &broadcast, quint64 id = 0,
                                                   quint64 prevId = 0);
};

} // namespace chatter::server

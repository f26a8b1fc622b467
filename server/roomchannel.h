// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"
#include "connectinfo.h"
#include "expected.h"
#include "presencemeta.h"
#include "storedmessage.h"

namespace chatter::server {

class Broadcast;
class RoomMembership;

//! `chatter:room:<name>` and `chatter:dm:<a>:<b>` (any topic with a conversation key,
//! topics.h): the chat contract. new_msg is stored, then broadcast to the whole room (sender
//! included) and acknowledged with its id; history pages backwards; presence tracks who is
//! here; ping echoes; typing reaches the others. Read markers, mute, mentions, private rooms
//! and DMs follow docs/conversations.md.
class RoomChannel final : public Channel
{
public:
    //! History in a join reply: the newest page, or everything after last_seen_id up to a bound.
    static constexpr int RecentOnJoin = 50;
    static constexpr int BackfillLimit = 1000;
    static constexpr int MaxHistoryPage = 100;
    //! Changed messages in a rejoin's reply (docs/conversations.md).
    static constexpr int MaxChangesOnJoin = 500;
    //! Files one message may carry (docs/files-and-search.md).
    static constexpr int MaxAttachments = 10;

    RoomChannel(SocketSession &session, ChannelContext &context, const QString &topic);

    JoinResult join(const QJsonValue &payload) override;
    void afterJoin() override;
    HandleResult handleIn(const InboundEvent &in) override;
    void terminate(const QString &reason) override;
    void setAutoAway(bool away) override;

    //! The one step after a message is committed, whoever wrote it (a member, the server's
    //! system messages): broadcast it to its room and note it in the directory.
    //! `system` marks messages from the server itself.
    static Expected<void> publishCommitted(ChannelContext &context, const StoredMessage &message,
                                           bool system = false);
    //! The `new_msg` of a committed message, carrying its id and prev_id for the cluster's
    //! ordering (RoomSequencer); also what another node's gap fill sends.
    static std::shared_ptr<const Broadcast> newMessageBroadcast(const StoredMessage &message,
                                                                bool system = false);
    //! The broadcast of a committed change that changed something: msg_edited, msg_deleted or
    //! reactions, to the message's conversation.
    static Expected<void> publishChange(ChannelContext &context, MessageChange::Kind kind,
                                        const ChangeOutcome &outcome);
    //! Who wrote a message, as stored in `messages.author`: the account, else the guest
    //! session, else (a bare guest, whose identity is the name) the nickname's skeleton.
    static QString authorKey(const ConnectInfo &info);

private:
    //! A room's name and the directory's admission (DMs have neither).
    Expected<bool> admitRoom();
    HandleResult newMessage(const InboundEvent &in);
    //! new_msg's `attachments`: a list of at most MaxAttachments file ids (empty if absent).
    static Expected<QStringList> attachmentIds(const QJsonValue &value);
    HandleResult history(const QJsonValue &payload);
    //! `history {around: id}`: the window around one message (a search result).
    HandleResult around(const QJsonValue &id, int limit);
    HandleResult editOrDelete(const InboundEvent &in, MessageChange::Kind kind);
    HandleResult react(const InboundEvent &in);
    //! The message `id` of this conversation, or the refusal to send.
    Expected<StoredMessage> target(const QJsonValue &id);
    //! Hands `change` to the store; the reply and broadcast follow its commit.
    HandleResult submit(MessageChange change, const ReplyHandle &handle);
    //! Bytes of messages one reply may carry (see HistoryPage::fitWithin).
    qint64 replyBudget();
    HandleResult typing(const QJsonValue &payload);
    HandleResult status(const QJsonValue &payload);
    PresenceMeta presenceMeta() const;
    void publishMembers();
    //! Refuses what the socket may not join: a DM not its own, a private room it is no
    //! member of; makes the room private when the join creates it with `private: true`.
    std::optional<QString> checkAccess(const QJsonObject &request, bool created);
    //! last_read_id, unread, muted and the private room's fields, for the join reply.
    void addConversationFields(QJsonObject &reply);
    HandleResult read(const InboundEvent &in);
    HandleResult mute(const InboundEvent &in);
    //! set_private, invite and remove (roommembership.h).
    RoomMembership membership();

    QString m_room;      //!< the conversation key (topics::conversationKey)
    QString m_otherSide; //!< a DM's other account, as registered
    bool m_dm = false;
    bool m_tracked = false;
    PresenceMeta::Status m_status = PresenceMeta::Status::Online;
    bool m_autoAway = false;
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include "chatmessage.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QHash>
#include <QList>

namespace chatter::client {

//! The lines of one room, oldest first. Chat messages are deduplicated by server id, so a
//! rejoin that replays history, or a broadcast that races a join reply, adds nothing twice.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        IdRole = Qt::UserRole + 1,
        UserRole,
        BodyRole,
        AtRole,
        OwnRole,
        MentionRole,
        KindRole,     //!< int(ChatMessage::Kind)
        SystemRole,   //!< true for join/leave/notice lines
        PendingRole,  //!< typed while not joined, not sent yet
        DayStartRole, //!< the first line of its local calendar day (a day separator goes above)
        // Conversations (docs/conversations.md)
        ReplyToRole,      //!< the parent's id, 0 when not a reply
        QuoteUserRole,    //!< the parent's author
        QuoteBodyRole,    //!< the parent's first 140 characters
        QuoteDeletedRole, //!< the parent was deleted
        EditedAtRole,     //!< QDateTime, invalid unless edited
        DeletedRole,      //!< the message was deleted: show a placeholder line
        ReactionsRole,    //!< QVariantList of QVariantMap {emoji, users (QStringList), mine}
        GroupedRole,      //!< same author as the line above within 5 minutes, same day: no header
        // Files (docs/files-and-search.md)
        AttachmentsRole //!< QList<Attachment>, in the order sent
    };

    explicit MessageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    //! Appends a line; false (and nothing changes) for a chat message already present.
    bool append(const ChatMessage &message);
    //! Older messages (oldest first) from a history page go to the top; duplicates skipped.
    int prependOlder(const QList<ChatMessage> &older);
    //! Drops the pending lines (they are about to be sent; the server's copy replaces them).
    void removePending();
    int pendingCount() const;
    bool contains(qint64 id) const { return m_signatures.contains(id); }
    const ChatMessage &at(int row) const { return m_lines.at(row); }
    //! Highest server id seen; what a rejoin sends as last_seen_id.
    qint64 lastId() const { return m_lastId; }
    //! Lowest server id present; where a history page ends.
    qint64 oldestId() const;
    int chatCount() const { return int(m_signatures.size()); }
    //! Whose reactions are "mine" (ReactionsRole).
    void setOwnNickname(const QString &nickname) { m_nickname = nickname; }

    //! The row of the chat message `id`, -1 when it is not held.
    int rowOfId(qint64 id) const;
    //! `msg_edited`: the new body and edit time; replies quoting it get the new quote. False
    //! when the message is not held.
    bool applyEdit(qint64 id, const QString &body, const QDateTime &editedAt);
    //! `msg_deleted`: the line becomes a placeholder; replies quoting it say it was deleted.
    bool applyDeletion(qint64 id);
    //! `reactions`: the message's whole set replaces the old one.
    bool applyReactions(qint64 id, const QList<std::pair<QString, QStringList>> &reactions);
    //! The message's attachments again (fresh signed URLs from `history {around}`); false
    //! when the message is not held.
    bool applyAttachments(qint64 id, const QList<Attachment> &attachments);
    //! A rejoin's `changes` (current message objects, deleted ones as `{id, deleted}`): each
    //! held message takes its new state in place; the count of messages changed.
    int applyChanges(const QList<ChatMessage> &changes);
    //! Drops every line (`changes_more`: what is held can no longer be trusted).
    void clear();
    //! The newest message of mine that can still be edited, -1 when none.
    int lastOwnEditableRow() const;

private:
    bool isDuplicate(const ChatMessage &message) const;
    void remember(const ChatMessage &message);
    //! A message already held that arrives edited or deleted (a history page, a replayed
    //! join) replaces the held copy; true when it did.
    bool replaceKnown(const ChatMessage &message);
    //! Replaces the row's message, keeping what only this client knows (own, mention).
    void replaceRow(int row, ChatMessage message);
    //! Replies to `parent` quote it anew (after an edit or a deletion).
    void refreshQuotesOf(const ChatMessage &parent);
    //! The row and the one below (whose grouping depends on it) changed.
    void rowChanged(int row);

    QList<ChatMessage> m_lines;
    QString m_nickname;
    //! id -> user/at/body: a same id with other content means the server forgot its ids
    //! (restarted without storage); such a message is new and must not be dropped.
    QHash<qint64, QString> m_signatures;
    qint64 m_lastId = 0;
};

} // namespace chatter::client

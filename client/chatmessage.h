// SPDX-License-Identifier: MIT
#pragma once

#include "attachment.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace chatter::client {

//! One line of a room: a chat message from the server, or a local system line.
struct ChatMessage
{
    enum class Kind
    {
        Chat,
        Joined,
        Left,
        Notice
    };

    Kind kind = Kind::Chat;
    qint64 id = 0; //!< server id; 0 for system lines
    QString user;
    QString body;
    QDateTime at;
    bool own = false;     //!< sent by this session's nickname
    bool mention = false; //!< mentions this session's nickname (never set on own messages)
    //! Typed while the room was not joined: shown, not yet sent; the server gives it an id.
    bool pending = false;
    //! A reply: the parent's id, and the quote the server sent with it (docs/conversations.md).
    qint64 replyTo = 0;
    QString quoteUser;
    QString quoteBody;
    bool quoteDeleted = false;
    QDateTime editedAt;   //!< invalid unless edited
    bool deleted = false; //!< `{id, deleted: true}`: kept so that paging keeps its place
    //! Reaction emoji (in the server's order) and who reacted with each.
    QList<std::pair<QString, QStringList>> reactions;
    //! Files sent with it, in the order given (docs/files-and-search.md); a deleted message
    //! has none.
    QList<Attachment> attachments;

    //! Parses a message object (docs/conversations.md): `{"id","user","body","at"}` plus
    //! `reply_to`, `quote`, `edited_at`, `reactions`, `attachments`, or `{"id","deleted":true}`;
    //! nullopt when id, user or body is missing from a message that is not deleted.
    static std::optional<ChatMessage> fromJson(const QJsonObject &json);
    //! `{"👍": ["bob"], …}` as (emoji, users) pairs; emoji nobody holds are left out.
    static QList<std::pair<QString, QStringList>> reactionsFromJson(const QJsonObject &json);
    static ChatMessage system(Kind kind, const QString &user, const QString &body = {});
    //! The sender's own copy of a message waiting to be sent.
    static ChatMessage pendingOwn(const QString &user, const QString &body);
    bool isSystem() const { return kind != Kind::Chat; }
    //! Whether `body` mentions `nickname` as the markup does: `@nick` (any case) or `@here`.
    static bool mentions(const QString &body, const QString &nickname);
};

} // namespace chatter::client

Q_DECLARE_METATYPE(chatter::client::ChatMessage)

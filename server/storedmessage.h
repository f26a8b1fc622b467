// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace chatter::server {

//! The part of a replied-to message a reply shows (docs/conversations.md).
struct Quote
{
    QString user;
    QString body; //!< the first QuoteLength UTF-16 units
    bool deleted = false;

    static constexpr int QuoteLength = 140;

    //! `body` cut to QuoteLength, never between the halves of a surrogate pair.
    static QString cut(const QString &body)
    {
        if (body.size() <= QuoteLength)
            return body;
        const int length =
            body.at(QuoteLength - 1).isHighSurrogate() ? QuoteLength - 1 : QuoteLength;
        return body.left(length);
    }
    QJsonObject toJson() const
    {
        if (deleted)
            return {{QStringLiteral("user"), user}, {QStringLiteral("deleted"), true}};
        return {{QStringLiteral("user"), user}, {QStringLiteral("body"), body}};
    }
};

//! One message's reactions: emoji in stored (code point) order, each with its users.
using Reactions = QList<std::pair<QString, QStringList>>;

inline QJsonObject reactionsToJson(const Reactions &reactions)
{
    QJsonObject object;
    for (const auto &[emoji, users] : reactions)
        object.insert(emoji, QJsonArray::fromStringList(users));
    return object;
}

//! A file attached to a message, as sent (docs/files-and-search.md): its URLs are signed by
//! whoever read the attachment (HistoryReader), at the time the frame is built.
struct Attachment
{
    QString id;
    QString name;
    QString type;
    qint64 size = 0;
    int width = 0; //!< images only
    int height = 0;
    int thumbWidth = 0; //!< images with a thumbnail only
    int thumbHeight = 0;
    QString url;
    QString thumbUrl;

    QJsonObject toJson() const
    {
        QJsonObject object{{QStringLiteral("id"), id},
                           {QStringLiteral("name"), name},
                           {QStringLiteral("size"), size},
                           {QStringLiteral("type"), type}};
        if (!url.isEmpty())
            object.insert(QStringLiteral("url"), url);
        if (width > 0) {
            object.insert(QStringLiteral("width"), width);
            object.insert(QStringLiteral("height"), height);
        }
        if (thumbWidth > 0 && !thumbUrl.isEmpty()) {
            object.insert(QStringLiteral("thumb_url"), thumbUrl);
            object.insert(QStringLiteral("thumb_width"), thumbWidth);
            object.insert(QStringLiteral("thumb_height"), thumbHeight);
        }
        return object;
    }
};

//! One chat message as stored and as sent: `{id, user, body, at}` and, when they apply,
//! `reply_to` with `quote`, `edited_at` and `reactions`; a deleted one is `{id, deleted}`.
struct StoredMessage
{
    qint64 id = 0;
    QString room; //!< the conversation key: a room name or `dm:<a>:<b>` (topics.h)
    QString user;
    QString body;
    QString at; //!< ISO-8601 UTC with milliseconds
    //! Who may edit and delete it: `a:<account id>`, `g:<session hash hex>` or `k:<skeleton>`
    //! (RoomChannel::authorKey), `system` for the server's messages; empty for messages stored
    //! before schema version 5. Never sent.
    QString author{};
    qint64 replyTo = 0;
    std::optional<Quote> quote{}; //!< set with replyTo when the parent is still stored
    QString editedAt{};
    bool deleted = false;
    Reactions reactions{};
    QList<Attachment> attachments{}; //!< in the order the sender gave
    //! The conversation's newest message id before this one, as its commit found it (0 before
    //! the first): the link other nodes put a room's broadcasts back in order by
    //! (docs/cluster.md, "Ordering across nodes"). Set by MessageStore; never sent.
    qint64 prevId = 0;

    //! Messages from the server itself: deleted by admins only, never edited.
    bool isSystem() const
    {
        return author == QLatin1String("system") ||
               (author.isEmpty() && user == QLatin1String("system"));
    }

    QJsonObject toJson() const
    {
        if (deleted)
            return {{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}};
        QJsonObject object{{QStringLiteral("id"), id},
                           {QStringLiteral("user"), user},
                           {QStringLiteral("body"), body},
                           {QStringLiteral("at"), at}};
        if (replyTo > 0) {
            object.insert(QStringLiteral("reply_to"), replyTo);
            if (quote)
                object.insert(QStringLiteral("quote"), quote->toJson());
        }
        if (!editedAt.isEmpty())
            object.insert(QStringLiteral("edited_at"), editedAt);
        if (!reactions.isEmpty())
            object.insert(QStringLiteral("reactions"), reactionsToJson(reactions));
        if (!attachments.isEmpty()) {
            QJsonArray files;
            for (const Attachment &attachment : attachments)
                files.append(attachment.toJson());
            object.insert(QStringLiteral("attachments"), files);
        }
        return object;
    }
};

//! An edit, deletion or reaction change for MessageStore::change().
struct MessageChange
{
    enum class Kind
    {
        Edit,
        Delete,
        React
    };
    Kind kind = Kind::Edit;
    qint64 id = 0;
    QString room{};
    QString body{};  //!< Edit: the new body
    QString at{};    //!< Edit: edited_at
    QString emoji{}; //!< React
    QString user{};  //!< React: the reacting nickname
    bool on = true;  //!< React: add (true) or remove
};

//! What a change did, on the caller's thread after the commit.
struct ChangeOutcome
{
    bool committed = false;
    //! Something was written (an edit to the same body, a second `on`, an `off` without a
    //! reaction, a second deletion change nothing and are not broadcast).
    bool changed = false;
    //! Refused inside the transaction (docs/conversations.md wording), nothing written.
    QString refusal;
    qint64 seq = 0;        //!< the change sequence value taken, when changed
    StoredMessage message; //!< id, body, edited_at, deleted and reactions after the change
};

//! A page of history, oldest first; `more` tells whether the page was cut short.
struct HistoryPage
{
    QList<StoredMessage> messages;
    bool more = false;

    QJsonObject toJson() const
    {
        QJsonArray list;
        for (const StoredMessage &m : messages)
            list.append(m.toJson());
        return {{QStringLiteral("messages"), list}, {QStringLiteral("more"), more}};
    }

    //! Drops messages until their JSON fits in `bytes`, setting `more`. A page read forwards
    //! (a rejoin's backfill) keeps its oldest messages, so the client asks again from the
    //! last one; a page read backwards (recent, scrolling up) keeps its newest. At least one
    //! message stays: one message always fits in a frame.
    void fitWithin(qint64 bytes, bool keepOldest)
    {
        qint64 total = 0;
        qsizetype kept = 0;
        const qsizetype count = messages.size();
        for (; kept < count; ++kept) {
            const StoredMessage &m = messages.at(keepOldest ? kept : count - 1 - kept);
            total += QJsonDocument(m.toJson()).toJson(QJsonDocument::Compact).size() + 1;
            if (total > bytes && kept > 0)
                break;
        }
        if (kept == count)
            return;
        more = true;
        if (keepOldest)
            messages.resize(kept);
        else
            messages.remove(0, count - kept);
    }
};

} // namespace chatter::server

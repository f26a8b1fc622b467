// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace chatter::server {

//! One chat message as stored and as sent: `{id, user, body, at}`.
struct StoredMessage
{
    qint64 id = 0;
    QString room;
    QString user;
    QString body;
    QString at; //!< ISO-8601 UTC with milliseconds

    QJsonObject toJson() const
    {
        return {{QStringLiteral("id"), id},
                {QStringLiteral("user"), user},
                {QStringLiteral("body"), body},
                {QStringLiteral("at"), at}};
    }
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

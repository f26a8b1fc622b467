// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonArray>
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
};

} // namespace chatter::server

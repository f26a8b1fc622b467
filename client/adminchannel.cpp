// SPDX-License-Identifier: MIT
#include "adminchannel.h"

#include "phoenixchannel.h"
#include "phoenixsocket.h"
#include "push.h"

namespace chatter::client {

namespace {

const QString AdminTopic = QStringLiteral("chatter:admin");

} // namespace

AdminChannel::AdminChannel(PhoenixSocket *socket, QObject *parent)
    : QObject(parent), m_channel(socket->channel(AdminTopic))
{
    connect(m_channel, &PhoenixChannel::joined, this, [this] { setJoined(true); });
    connect(m_channel, &PhoenixChannel::errored, this, [this] { setJoined(false); });
    connect(m_channel, &PhoenixChannel::closed, this, [this] { setJoined(false); });
    connect(m_channel, &PhoenixChannel::joinRefused, this, [this](const QJsonObject &response) {
        setJoined(false);
        // Refused is final: rejoining would only be refused again.
        const QString reason = response.value(QLatin1String("reason")).toString();
        if (m_channel)
            m_channel->leave();
        Q_EMIT refused(reason);
    });
    m_channel->join();
}

AdminChannel::~AdminChannel()
{
    if (m_channel)
        m_channel->leave();
}

void AdminChannel::setJoined(bool joined)
{
    if (m_joined == joined)
        return;
    m_joined = joined;
    Q_EMIT joinedChanged(joined);
}

void AdminChannel::kick(const QString &user, Done done)
{
    send(QStringLiteral("kick"), {{QStringLiteral("user"), user}}, std::move(done));
}

void AdminChannel::ban(const QString &user, int minutes, const QString &reason, Done done)
{
    send(QStringLiteral("ban"),
         {{QStringLiteral("user"), user},
          {QStringLiteral("minutes"), minutes},
          {QStringLiteral("reason"), reason}},
         std::move(done));
}

void AdminChannel::unban(const QString &user, Done done)
{
    send(QStringLiteral("unban"), {{QStringLiteral("user"), user}}, std::move(done));
}

void AdminChannel::postSystemMessage(const QString &room, const QString &body, Done done)
{
    send(QStringLiteral("system"), {{QStringLiteral("room"), room}, {QStringLiteral("body"), body}},
         std::move(done));
}

void AdminChannel::send(const QString &event, const QJsonObject &payload, Done done)
{
    if (!m_channel) {
        if (done)
            done({false, {}, tr("not connected")});
        return;
    }
    Push *push = m_channel->push(event, payload);
    // The push deletes itself once answered; `this` outlives none of its signals' use.
    connect(push, &Push::replied, this, [done](const QString &status, const QJsonValue &response) {
        AdminReply reply;
        reply.ok = status == QLatin1String("ok");
        reply.response = response.toObject();
        if (!reply.ok)
            reply.error = reply.response.value(QLatin1String("reason")).toString(status);
        if (done)
            done(reply);
    });
    connect(push, &Push::timeout, this, [done] {
        if (done)
            done({false, {}, QStringLiteral("timeout")});
    });
}

} // namespace chatter::client

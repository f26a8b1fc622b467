// SPDX-License-Identifier: MIT
#include "personalchannel.h"

#include "phoenixchannel.h"
#include "phoenixsocket.h"
#include "push.h"

#include <QJsonArray>

namespace chatter::client {

namespace {

// The personal topic's vocabulary (docs/conversations.md).
constexpr QLatin1StringView OpenDm("open_dm");
constexpr QLatin1StringView CreateGroup("create_group");
constexpr QLatin1StringView Dm("dm");
constexpr QLatin1StringView Mention("mention");
constexpr QLatin1StringView Read("read");
constexpr QLatin1StringView Unread("unread");
constexpr QLatin1StringView Muted("muted");
constexpr QLatin1StringView RoomInvited("room_invited");
constexpr QLatin1StringView RoomRemoved("room_removed");

ChatMessage notification(const QJsonObject &json)
{
    ChatMessage m;
    m.id = qint64(json.value(QLatin1String("id")).toDouble());
    m.user = json.value(QLatin1String("user")).toString();
    m.body = json.value(QLatin1String("body")).toString();
    m.at = QDateTime::fromString(json.value(QLatin1String("at")).toString(), Qt::ISODateWithMs);
    if (!m.at.isValid())
        m.at = QDateTime::currentDateTimeUtc();
    return m;
}

} // namespace

ConversationState ConversationState::fromJson(const QJsonObject &json)
{
    ConversationState c;
    c.topic = json.value(QLatin1String("topic")).toString();
    c.with = json.value(QLatin1String("with")).toString();
    c.lastId = qint64(json.value(QLatin1String("last_id")).toDouble());
    c.lastAt =
        QDateTime::fromString(json.value(QLatin1String("last_at")).toString(), Qt::ISODateWithMs);
    c.lastReadId = qint64(json.value(QLatin1String("last_read_id")).toDouble());
    c.unread = json.value(QLatin1String("unread")).toInt();
    c.muted = json.value(QLatin1String("muted")).toBool();
    return c;
}

PrivateRoomEntry PrivateRoomEntry::fromJson(const QJsonObject &json)
{
    PrivateRoomEntry r;
    r.topic = json.value(QLatin1String("topic")).toString();
    r.name = json.value(QLatin1String("name")).toString();
    r.group = json.value(QLatin1String("group")).toBool();
    r.owner = json.value(QLatin1String("owner")).toString();
    for (const QJsonValue &member : json.value(QLatin1String("members")).toArray())
        r.members.append(member.toString());
    return r;
}

PersonalChannel::PersonalChannel(PhoenixSocket *socket, const QString &topic, QObject *parent)
    : QObject(parent), m_topic(topic), m_channel(socket->channel(topic))
{
    connect(m_channel, &PhoenixChannel::joined, this, [this](const QJsonObject &response) {
        m_joined = true;
        QList<ConversationState> conversations;
        for (const QJsonValue &value : response.value(QLatin1String("conversations")).toArray())
            conversations.append(ConversationState::fromJson(value.toObject()));
        QList<PrivateRoomEntry> rooms;
        for (const QJsonValue &value : response.value(QLatin1String("private_rooms")).toArray())
            rooms.append(PrivateRoomEntry::fromJson(value.toObject()));
        Q_EMIT joined(conversations, rooms);
    });
    connect(m_channel, &PhoenixChannel::errored, this, [this] { m_joined = false; });
    connect(m_channel, &PhoenixChannel::closed, this, [this] { m_joined = false; });
    connect(m_channel, &PhoenixChannel::joinRefused, this, [this](const QJsonObject &response) {
        m_joined = false;
        // Refused is final (a guest, another spelling): rejoining would be refused again.
        if (m_channel)
            m_channel->leave();
        Q_EMIT refused(response.value(QLatin1String("reason")).toString());
    });
    connect(m_channel, &PhoenixChannel::eventReceived, this, &PersonalChannel::onEvent);
    m_channel->join();
}

PersonalChannel::~PersonalChannel()
{
    if (m_channel)
        m_channel->leave();
}

void PersonalChannel::onEvent(const QString &event, const QJsonValue &payload)
{
    const QJsonObject json = payload.toObject();
    const QString topic = json.value(QLatin1String("topic")).toString();
    if (event == Dm)
        Q_EMIT directMessage(topic, notification(json));
    else if (event == Mention)
        Q_EMIT mentioned(topic, notification(json));
    else if (event == Read)
        Q_EMIT readMoved(topic, qint64(json.value(QLatin1String("last_read_id")).toDouble()), -1);
    else if (event == Unread)
        Q_EMIT readMoved(topic, qint64(json.value(QLatin1String("last_read_id")).toDouble()),
                         json.value(QLatin1String("count")).toInt());
    else if (event == Muted)
        Q_EMIT mutedChanged(topic, json.value(QLatin1String("muted")).toBool());
    else if (event == RoomInvited)
        Q_EMIT invited(PrivateRoomEntry::fromJson(json));
    else if (event == RoomRemoved)
        Q_EMIT removed(topic);
}

PhoenixChannel *PersonalChannel::channel() const
{
    return m_channel;
}

void PersonalChannel::openDm(const QString &user, DmOpened done)
{
    request(OpenDm, {{QStringLiteral("user"), user}},
            [done = std::move(done)](bool ok, const QJsonObject &response) {
                if (ok)
                    done(response.value(QLatin1String("topic")).toString(),
                         response.value(QLatin1String("with")).toString(), {});
                else
                    done({}, {}, response.value(QLatin1String("reason")).toString());
            });
}

void PersonalChannel::createGroup(const QStringList &users, GroupCreated done)
{
    request(CreateGroup, {{QStringLiteral("users"), QJsonArray::fromStringList(users)}},
            [done = std::move(done)](bool ok, const QJsonObject &response) {
                if (ok)
                    done(response.value(QLatin1String("topic")).toString(), {});
                else
                    done({}, response.value(QLatin1String("reason")).toString());
            });
}

void PersonalChannel::request(const QString &event, const QJsonObject &payload,
                              std::function<void(bool ok, const QJsonObject &response)> done)
{
    if (!m_channel) {
        done(false, {{QStringLiteral("reason"), tr("not signed in to an account")}});
        return;
    }
    Push *push = m_channel->push(event, payload);
    connect(push, &Push::replied, this, [done](const QString &status, const QJsonValue &response) {
        QJsonObject answer = response.toObject();
        const bool ok = status == QLatin1String("ok");
        if (!ok && !answer.contains(QLatin1String("reason")))
            answer.insert(QStringLiteral("reason"), tr("refused"));
        done(ok, answer);
    });
    connect(push, &Push::timeout, this, [done] {
        done(false, {{QStringLiteral("reason"), tr("no answer from the server")}});
    });
}

} // namespace chatter::client

// SPDX-License-Identifier: MIT
#pragma once

#include "connectinfo.h"
#include "expected.h"
#include "message.h"
#include "serializer.h"

#include <QJsonObject>
#include <QSet>
#include <QString>

#include <limits>
#include <optional>
#include <stdexcept>

namespace chatter::server {

class SocketSession;

//! The answer to a push: a status and a JSON or binary response.
struct ChannelReply
{
    QString status = QStringLiteral("ok");
    QJsonValue response = QJsonObject();
    QByteArray binaryResponse;
    bool binary = false;

    static ChannelReply ok(QJsonValue response = QJsonObject())
    {
        return {QStringLiteral("ok"), std::move(response), {}, false};
    }
    static ChannelReply okBinary(QByteArray bytes)
    {
        return {QStringLiteral("ok"), QJsonObject(), std::move(bytes), true};
    }
    static ChannelReply error(const QString &reason)
    {
        return {
            QStringLiteral("error"), QJsonObject{{QStringLiteral("reason"), reason}}, {}, false};
    }
};

//! What a channel's join decided.
struct JoinResult
{
    bool accepted = true;
    QJsonValue response = QJsonObject();

    static JoinResult accept(QJsonValue response = QJsonObject())
    {
        return {true, std::move(response)};
    }
    static JoinResult refuse(const QString &reason)
    {
        return {false, QJsonObject{{QStringLiteral("reason"), reason}}};
    }
};

//! What handling one inbound event decided: maybe a reply, maybe stopping the channel.
struct HandleResult
{
    std::optional<ChannelReply> reply;
    bool stop = false;
    //! The reply comes later through Channel::replyLater(); replies after it wait for it.
    bool deferred = false;

    static HandleResult noReply() { return {}; }
    static HandleResult replyWith(ChannelReply r) { return {std::move(r), false, false}; }
    static HandleResult stopChannel(std::optional<ChannelReply> r = std::nullopt)
    {
        return {std::move(r), true, false};
    }
    //! The answer comes later, through Channel::replyLater(). It must not wait for more input
    //! from the same client: while many replies are outstanding, that input is not read.
    static HandleResult deferReply() { return {std::nullopt, false, true}; }
};

//! Where a deferred reply goes: the connection and its place in that connection's reply order.
struct ReplyHandle
{
    quint64 connectionId = 0;
    quint64 sequence = 0;
    QJsonValue joinRef;
    QJsonValue ref;
    QString topic;
};

struct InboundEvent
{
    QString event;
    QJsonValue payload;
    QByteArray binaryPayload;
    bool binary = false;
    //! For HandleResult::deferReply(): hand it to Channel::replyLater() once the answer is known.
    ReplyHandle replyHandle;
};

//! Thrown (or any std::exception) by a channel to crash: the client gets phx_error.
class ChannelCrash : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class ChannelContext;

//! One joined topic on one socket, the counterpart of a Phoenix channel process. Lives on its
//! socket's worker thread; everything here runs there, strictly in the socket's frame order.
//! A channel reaches the rest of the server only through its ChannelContext.
class Channel
{
public:
    Channel(SocketSession &session, ChannelContext &context, QString topic);
    virtual ~Channel();
    Channel(const Channel &) = delete;
    Channel &operator=(const Channel &) = delete;

    //! Runs before the join reply is sent; pushes and broadcasts made here reach the client
    //! after the reply, as Phoenix guarantees.
    virtual JoinResult join(const QJsonValue &payload) = 0;
    //! Runs right after the join reply is on the wire (Phoenix's `send(self(), :after_join)`).
    virtual void afterJoin() {}
    virtual HandleResult handleIn(const InboundEvent &in) = 0;
    //! Events listed here reach handleOut per subscriber instead of the shared encoded frame.
    virtual QSet<QString> intercepts() const { return {}; }
    virtual void handleOut(const QString &event, const QJsonObject &payload)
    {
        push(event, payload);
    }
    //! Called once when the channel ends for any reason (left, crashed, socket closed, ...).
    virtual void terminate(const QString &reason) {}
    //! The socket has sent nothing but heartbeats for a while (`away`), or has again (not
    //! `away`): docs/conversations.md, automatic away.
    virtual void setAutoAway(bool away) {}

    //! Unique in this process and never reused, unlike the channel's address: a broadcast
    //! names the one subscriber it skips by this id.
    quint64 id() const { return m_id; }
    const QString &topic() const { return m_topic; }
    QJsonValue joinRef() const
    {
        switch (m_joinRefKind) {
        case JoinRefKind::Text:
            return m_joinRefText;
        case JoinRefKind::Integer:
            return m_joinRefInteger;
        case JoinRefKind::Number:
            return m_joinRefNumber;
        case JoinRefKind::Null:
            break;
        }
        return QJsonValue::Null;
    }
    const ConnectInfo &connectInfo() const;

    void setJoinRef(const QJsonValue &joinRef)
    {
        // A join ref is a string (phoenix.js counts "1", "2", …), held as one: a string
        // QJsonValue is a CBOR container of its own (three allocations), and one taken out of
        // a parsed frame points into that frame's whole parsed array and keeps it alive.
        // Anything else a client sends as a join ref (phoenix.js never does) is a number or
        // null (Serializer::isValidRef): a QJsonValue kept for it cost 24 bytes per channel.
        // Integers stay integers, so that one beyond 2^53 comes back as it was sent.
        m_joinRefText = joinRef.isString() ? joinRef.toString() : QString();
        constexpr qint64 NotIntegral = std::numeric_limits<qint64>::min();
        const qint64 integer = joinRef.isDouble() ? joinRef.toInteger(NotIntegral) : NotIntegral;
        if (joinRef.isString())
            m_joinRefKind = JoinRefKind::Text;
        else if (integer != NotIntegral)
            m_joinRefKind = JoinRefKind::Integer;
        else if (joinRef.isDouble())
            m_joinRefKind = JoinRefKind::Number;
        else
            m_joinRefKind = JoinRefKind::Null;
        if (m_joinRefKind == JoinRefKind::Integer)
            m_joinRefInteger = integer;
        else
            m_joinRefNumber = joinRef.toDouble();
    }

protected:
    ChannelContext &context() { return m_context; }
    SocketSession &session() { return m_session; }
    //! Sends an event to this channel's own client. Fails if it cannot be encoded.
    Expected<void> push(const QString &event, const QJsonObject &payload);
    //! push() of a payload that is compact JSON text already.
    Expected<void> pushJson(const QString &event, QByteArray payloadJson);
    Expected<void> pushBinary(const QString &event, const QByteArray &payload);
    //! To every subscriber of the topic, on every worker, this client included.
    Expected<void> broadcast(const QString &event, const QJsonObject &payload);
    //! To every subscriber but this channel's own client.
    Expected<void> broadcastFrom(const QString &event, const QJsonObject &payload);
    Expected<void> broadcastBinary(const QString &event, const QByteArray &payload);
    //! Completes a deferred reply; safe to call after the channel or its socket is gone.
    void replyLater(const ReplyHandle &handle, const ChannelReply &reply);

private:
    SocketSession &m_session;
    ChannelContext &m_context;
    const quint64 m_id;
    QString m_topic;
    enum class JoinRefKind : quint8
    {
        Null,
        Text,
        Integer,
        Number
    };
    QString m_joinRefText;
    union {
        qint64 m_joinRefInteger = 0;
        double m_joinRefNumber;
    };
    JoinRefKind m_joinRefKind = JoinRefKind::Null;
};

} // namespace chatter::server

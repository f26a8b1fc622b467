// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace chatter {

//! One Phoenix message, in either direction, independent of its serializer.
//! Refs are kept as JSON values because they are opaque and must be echoed exactly.
struct Message
{
    //! Only binary frames need the kind; JSON frames have one shape for all three.
    enum class Kind : quint8
    {
        Push = 0,
        Reply = 1,
        Broadcast = 2
    };

    Kind kind = Kind::Push;
    QJsonValue joinRef = QJsonValue::Null;
    QJsonValue ref = QJsonValue::Null;
    QString topic;
    QString event;
    //! JSON payload. For a JSON reply this is {"status":..., "response":...}.
    QJsonValue payload = QJsonObject();
    //! The payload as compact JSON text, written from fields (jsontext.h) where building
    //! `payload` would cost more than the frame; when set, the JSON serializers send it
    //! instead of `payload`. Only for pushes and for broadcasts no channel intercepts
    //! (presence diffs): nothing inspects their payload on the way.
    QByteArray payloadJson;
    //! Raw bytes when `binary` is set; for a binary reply, the response bytes.
    QByteArray binaryPayload;
    //! Status of a binary reply (the JSON form keeps it inside `payload`).
    QString replyStatus;
    bool binary = false;

    //! A reply with a JSON response; `joinRef` null for heartbeats and unmatched topics.
    static Message reply(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                         const QString &status, const QJsonValue &response = QJsonObject());
    static Message binaryReply(const QJsonValue &joinRef, const QJsonValue &ref,
                               const QString &topic, const QString &status,
                               const QByteArray &response);
    //! A push from a channel to its own client: carries the join_ref, never a ref.
    static Message push(const QJsonValue &joinRef, const QString &topic, const QString &event,
                        const QJsonObject &payload);
    //! A push whose payload is JSON text already (`payloadJson`).
    static Message pushJson(const QJsonValue &joinRef, const QString &topic, const QString &event,
                            QByteArray payloadJson);
    static Message binaryPush(const QJsonValue &joinRef, const QString &topic, const QString &event,
                              const QByteArray &payload);
    //! A broadcast: both refs null.
    static Message broadcast(const QString &topic, const QString &event,
                             const QJsonObject &payload);
    //! A broadcast whose payload is JSON text already (`payloadJson`).
    static Message broadcastJson(const QString &topic, const QString &event,
                                 QByteArray payloadJson);
    static Message binaryBroadcast(const QString &topic, const QString &event,
                                   const QByteArray &payload);
    //! phx_close and phx_error carry the join_ref in both ref slots.
    static Message channelControl(const QJsonValue &joinRef, const QString &topic,
                                  const QString &event, const QJsonObject &payload = {});

    bool isHeartbeat() const;

    //! A ref as text, for comparing and logging: refs are opaque and a third-party peer may
    //! send numbers where phoenix.js sends strings. Null is the empty string.
    static QString refText(const QJsonValue &ref);
    //! Whether two refs are the same (a null ref equals only null).
    static bool sameRef(const QJsonValue &a, const QJsonValue &b);
};

} // namespace chatter

// SPDX-License-Identifier: MIT
#pragma once

#include "serializer.h"
#include "topics.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace chatter::server {

//! What a connection was accepted with: fixed for its lifetime, readable from any thread.
struct ConnectInfo
{
    quint64 id = 0; //!< unique per server run
    QJsonObject params;
    QString user;     //!< display form (NFKC) of the nickname this socket speaks as
    QString skeleton; //!< its confusable skeleton: the identity key (NicknamePolicy)
    QString shape;    //!< its second look-alike key (NicknamePolicy), null when it is the skeleton
    QString role = QStringLiteral("guest"); //!< "member", "admin" or "guest"
    qint64 accountId = 0;                   //!< 0 for guests
    QByteArray sessionHash; //!< SHA-256 of the session token; empty for a bare guest
    QString clientKind;     //!< "desktop", "web" or whatever the client called itself
    QString authToken;      //!< from phoenix.js authToken; null when absent
    QString transport = QStringLiteral("websocket");
    const Serializer *serializer = nullptr;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    QDateTime connectedAt;
    bool phoenixSubprotocol = false;

    //! "user_socket:<nick>": a "disconnect" for it closes the socket. Derived, not stored:
    //! every connection would hold the string.
    QString socketId() const { return topics::socketId(user); }

    //! Every look-alike key of the nickname (NicknamePolicy::Verdict::keys). Made when asked,
    //! at connect and close: a list held per socket cost an allocation each.
    QStringList keys() const
    {
        if (skeleton.isNull())
            return {};
        return shape.isNull() ? QStringList{skeleton} : QStringList{skeleton, shape};
    }
    //! Sets skeleton and shape from NicknamePolicy::Verdict::keys().
    void setKeys(const QStringList &keys)
    {
        skeleton = keys.value(0);
        shape = keys.value(1);
    }

    QString vsnName() const
    {
        return serializer && serializer->version() == Serializer::Version::V1
                   ? QStringLiteral("1.0.0")
                   : QStringLiteral("2.0.0");
    }
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace chatter::server {

//! One Redis reply (RESP2) as a value, copied out of hiredis's reply object before the callback
//! returns (hiredis frees it then). `Failure` is not from Redis: the command was not sent, or
//! the connection went away before its answer (it may or may not have run).
struct RedisReply
{
    enum class Type
    {
        Failure,
        Status,
        Error,
        Integer,
        String,
        Nil,
        Array
    };
    Type type = Type::Failure;
    QByteArray text; //!< Status, Error, String (binary-safe); Failure: why
    qint64 integer = 0;
    QList<RedisReply> elements;

    static RedisReply failure(const QString &why);
    //! From a hiredis `redisReply *` (void here, so that this header needs no hiredis).
    static RedisReply fromHiredis(const void *reply);

    //! Neither a failure nor an error reply.
    bool ok() const { return type != Type::Failure && type != Type::Error; }
    //! For logs and error replies: the failure or the server's error, empty when ok().
    QString errorString() const { return ok() ? QString() : QString::fromUtf8(text); }
};

} // namespace chatter::server

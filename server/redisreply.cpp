// SPDX-License-Identifier: MIT
#include "redisreply.h"

#include <hiredis/hiredis.h>

namespace chatter::server {

RedisReply RedisReply::failure(const QString &why)
{
    RedisReply reply;
    reply.text = why.toUtf8();
    return reply;
}

RedisReply RedisReply::fromHiredis(const void *opaque)
{
    const auto *reply = static_cast<const redisReply *>(opaque);
    RedisReply out;
    switch (reply->type) {
    case REDIS_REPLY_STATUS:
        out.type = Type::Status;
        out.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = Type::Error;
        out.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STRING:
        out.type = Type::String;
        out.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = Type::Integer;
        out.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = Type::Array;
        out.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i)
            out.elements.append(fromHiredis(reply->element[i]));
        break;
    default: // REDIS_REPLY_NIL
        out.type = Type::Nil;
        break;
    }
    return out;
}

} // namespace chatter::server

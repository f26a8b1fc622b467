// SPDX-License-Identifier: MIT
#include "diagnosticchannel.h"

#include "channelcontext.h"
#include "topics.h"

namespace chatter::server {
namespace {

HandleResult okOr(const Expected<void> &done)
{
    return HandleResult::replyWith(done ? ChannelReply::ok() : ChannelReply::error(done.error()));
}

} // namespace

JoinResult DiagnosticChannel::join(const QJsonValue &payload)
{
    const QJsonObject options = payload.toObject();
    if (options.contains(QLatin1String("refuse")))
        return JoinResult::refuse(options.value(QLatin1String("refuse")).toString());
    if (options.value(QLatin1String("crash")).toBool())
        throw ChannelCrash("join asked to crash");
    if (options.value(QLatin1String("push_on_join")).toBool()) {
        push(QStringLiteral("welcome"), {});
        broadcast(QStringLiteral("joined"), {});
    }
    const ConnectInfo &info = connectInfo();
    return JoinResult::accept(QJsonObject{
        {QStringLiteral("params"), info.params},
        {QStringLiteral("auth_token"),
         info.authToken.isNull() ? QJsonValue() : QJsonValue(info.authToken)},
        {QStringLiteral("socket_id"), info.socketId()},
    });
}

HandleResult DiagnosticChannel::handleIn(const InboundEvent &in)
{
    const QJsonObject payload = in.payload.toObject();
    const QString &event = in.event;
    if (event == QLatin1String("crash"))
        throw ChannelCrash("crash requested");
    if (event == QLatin1String("stop"))
        return HandleResult::stopChannel();
    if (event == QLatin1String("stop_reply"))
        return HandleResult::stopChannel(
            ChannelReply::ok(QJsonObject{{QStringLiteral("bye"), true}}));
    if (event == QLatin1String("noreply"))
        return HandleResult::noReply();
    if (event == QLatin1String("status_only"))
        return HandleResult::replyWith(ChannelReply::ok());
    if (event == QLatin1String("echo"))
        return HandleResult::replyWith(in.binary ? ChannelReply::okBinary(in.binaryPayload)
                                                 : ChannelReply::ok(in.payload));
    if (event == QLatin1String("push")) {
        push(QStringLiteral("pushed"), payload);
        return HandleResult::replyWith(ChannelReply::ok());
    }
    if (event == QLatin1String("push_binary")) {
        return okOr(pushBinary(QStringLiteral("pushed_binary"),
                               payload.value(QLatin1String("text")).toString().toUtf8()));
    }
    if (event == QLatin1String("broadcast"))
        return okOr(broadcast(QStringLiteral("broadcasted"), payload));
    if (event == QLatin1String("broadcast_from"))
        return okOr(broadcastFrom(QStringLiteral("broadcasted_from"), payload));
    if (event == QLatin1String("broadcast_binary")) {
        return okOr(broadcastBinary(QStringLiteral("broadcasted_binary"),
                                    payload.value(QLatin1String("text")).toString().toUtf8()));
    }
    if (event == QLatin1String("shout"))
        return okOr(broadcast(QStringLiteral("shout"), payload));
    if (event == QLatin1String("disconnect")) {
        context().disconnectSocketId(
            topics::socketId(payload.value(QLatin1String("user")).toString()));
        return HandleResult::replyWith(ChannelReply::ok());
    }
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

void DiagnosticChannel::handleOut(const QString &event, const QJsonObject &payload)
{
    const QString me = connectInfo().user;
    if (payload.value(QLatin1String("skip")).toString() == me)
        return;
    QJsonObject rewritten = payload;
    rewritten.insert(QStringLiteral("seen_by"), me);
    push(event, rewritten);
}

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"

namespace chatter::server {

//! `chatter:diag:*`, mounted only with --diagnostics: a channel whose events trigger every
//! server behaviour of the Phoenix protocol (crash, stop, push, binary, intercept, disconnect),
//! so that protocol tests and third-party client authors can exercise them over the wire.
class DiagnosticChannel final : public Channel
{
public:
    using Channel::Channel;

    JoinResult join(const QJsonValue &payload) override;
    HandleResult handleIn(const InboundEvent &in) override;
    QSet<QString> intercepts() const override { return {QStringLiteral("shout")}; }
    void handleOut(const QString &event, const QJsonObject &payload) override;
};

} // namespace chatter::server

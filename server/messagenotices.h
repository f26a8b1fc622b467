// SPDX-License-Identifier: MIT
#pragma once

#include "storedmessage.h"

#include <QString>
#include <QStringList>

namespace chatter::server {

class ChannelContext;

//! What a committed message tells people beyond its conversation's subscribers, on their
//! personal topics (docs/conversations.md): `dm` and `unread` for a direct message, `mention`
//! for each account it names that may read it, and for `@here` every account present.
//! Runs on the worker that appended the message, after the commit.
namespace notices {

void afterCommit(ChannelContext &context, const QString &topic, const StoredMessage &message,
                 qint64 authorAccount, const QString &otherSide, const QStringList &mentioned,
                 bool here);

} // namespace notices
} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include "presencemeta.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace chatter::server {

//! One key's change on a topic, as fields until it is written into a `presence_diff`: a join
//! (`joined`), a leave (`left`), or an update (both, the new meta joining as the old one
//! leaves). Every join and leave of a room makes one, so it stays fields: the diff's text is
//! written once per flush (PresenceDiffBuffer), not built as objects per change.
struct PresenceDiff
{
    QString key;
    std::optional<PresenceMeta> joined;
    std::optional<PresenceMeta> left;

    static PresenceDiff join(const QString &key, const PresenceMeta &meta)
    {
        return {key, meta, {}};
    }
    static PresenceDiff leave(const QString &key, const PresenceMeta &meta)
    {
        return {key, {}, meta};
    }

    //! The Phoenix payload {"joins": {key: {"metas": [...]}}, "leaves": {...}}.
    QJsonObject toJson() const;
};

} // namespace chatter::server

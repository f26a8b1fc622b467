// SPDX-License-Identifier: MIT
#include "presencediff.h"

#include <QJsonArray>

namespace chatter::server {
namespace {

QJsonObject presencesOf(const QString &key, const std::optional<PresenceMeta> &meta)
{
    if (!meta || key.isEmpty())
        return {};
    return {{key, QJsonObject{{QStringLiteral("metas"), QJsonArray{meta->toJson()}}}}};
}

} // namespace

QJsonObject PresenceDiff::toJson() const
{
    return {{QStringLiteral("joins"), presencesOf(key, joined)},
            {QStringLiteral("leaves"), presencesOf(key, left)}};
}

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#include "presencemeta.h"

#include "events.h"
#include "isotime.h"

#include <QRandomGenerator>

namespace chatter::server {

PresenceRef PresenceRef::generate()
{
    PresenceRef ref;
    QRandomGenerator::global()->fillRange(ref.m_bits.data(), qsizetype(ref.m_bits.size()));
    ref.m_null = false;
    return ref;
}

QString PresenceRef::toString() const
{
    if (m_null)
        return {};
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(m_bits.data()), sizeof m_bits);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QJsonObject PresenceMeta::toJson() const
{
    QJsonObject meta{{QStringLiteral("online_at"), isotime::fromMsecs(onlineAtMs)},
                     {QStringLiteral("client"), client},
                     {QStringLiteral("role"), role},
                     {events::Status, status},
                     {presence::PhxRef, ref.toString()}};
    if (autoAway)
        meta.insert(QStringLiteral("auto"), true);
    if (!refPrev.isNull())
        meta.insert(presence::PhxRefPrev, refPrev.toString());
    return meta;
}

} // namespace chatter::server

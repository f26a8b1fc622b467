// SPDX-License-Identifier: MIT
#include "presencemeta.h"

#include "events.h"
#include "isotime.h"
#include "jsontext.h"

#include <QRandomGenerator>

#include <cstring>

namespace chatter::server {

PresenceRef PresenceRef::generate()
{
    PresenceRef ref;
    do
        QRandomGenerator::global()->fillRange(ref.m_bits.data(), qsizetype(ref.m_bits.size()));
    while (ref.isNull());
    return ref;
}

QString PresenceRef::toString() const
{
    if (isNull())
        return {};
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(m_bits.data()), sizeof m_bits);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

PresenceRef PresenceRef::fromString(QStringView text)
{
    PresenceRef ref;
    const auto decoded = QByteArray::fromBase64Encoding(
        text.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (decoded && decoded.decoded.size() == qsizetype(sizeof ref.m_bits))
        std::memcpy(ref.m_bits.data(), decoded.decoded.constData(), sizeof ref.m_bits);
    return ref;
}

std::optional<PresenceMeta> PresenceMeta::fromJson(const QJsonObject &object)
{
    PresenceMeta meta;
    meta.ref = PresenceRef::fromString(object.value(presence::PhxRef).toString());
    if (meta.ref.isNull())
        return std::nullopt;
    meta.refPrev = PresenceRef::fromString(object.value(presence::PhxRefPrev).toString());
    meta.client = object.value(QLatin1String("client")).toString();
    meta.onlineAtMs = isotime::toMsecs(object.value(QLatin1String("online_at")).toString());
    meta.role = roleNamed(object.value(QLatin1String("role")).toString());
    meta.status =
        statusNamed(object.value(QLatin1String("status")).toString()).value_or(Status::Online);
    meta.autoAway = object.value(QLatin1String("auto")).toBool();
    return meta;
}

PresenceMeta::Role PresenceMeta::roleNamed(QStringView name)
{
    if (name == QLatin1StringView("admin"))
        return Role::Admin;
    if (name == QLatin1StringView("guest"))
        return Role::Guest;
    return Role::Member;
}

QString PresenceMeta::nameOf(Role role)
{
    switch (role) {
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::Guest:
        return QStringLiteral("guest");
    case Role::Member:
        break;
    }
    return QStringLiteral("member");
}

std::optional<PresenceMeta::Status> PresenceMeta::statusNamed(QStringView name)
{
    if (name == QLatin1StringView("online"))
        return Status::Online;
    if (name == QLatin1StringView("away"))
        return Status::Away;
    if (name == QLatin1StringView("busy"))
        return Status::Busy;
    if (name == QLatin1StringView("dnd"))
        return Status::Dnd;
    return std::nullopt;
}

QString PresenceMeta::nameOf(Status status)
{
    switch (status) {
    case Status::Away:
        return QStringLiteral("away");
    case Status::Busy:
        return QStringLiteral("busy");
    case Status::Dnd:
        return QStringLiteral("dnd");
    case Status::Online:
        break;
    }
    return QStringLiteral("online");
}

QJsonObject PresenceMeta::toJson() const
{
    QJsonObject meta{{QStringLiteral("online_at"), isotime::fromMsecs(onlineAtMs)},
                     {QStringLiteral("client"), client},
                     {QStringLiteral("role"), nameOf(role)},
                     {events::Status, nameOf(status)},
                     {presence::PhxRef, ref.toString()}};
    if (autoAway)
        meta.insert(QStringLiteral("auto"), true);
    if (!refPrev.isNull())
        meta.insert(presence::PhxRefPrev, refPrev.toString());
    return meta;
}

void PresenceMeta::appendJson(QByteArray &out) const
{
    // The same object as toJson(), keys in its (sorted) order.
    out.append("{");
    if (autoAway)
        out.append("\"auto\":true,");
    out.append("\"client\":");
    jsontext::appendString(out, client);
    out.append(",\"online_at\":");
    jsontext::appendString(out, isotime::fromMsecs(onlineAtMs));
    out.append(",\"phx_ref\":");
    jsontext::appendString(out, ref.toString());
    if (!refPrev.isNull()) {
        out.append(",\"phx_ref_prev\":");
        jsontext::appendString(out, refPrev.toString());
    }
    out.append(",\"role\":");
    jsontext::appendString(out, nameOf(role));
    out.append(",\"status\":");
    jsontext::appendString(out, nameOf(status));
    out.append('}');
}

} // namespace chatter::server

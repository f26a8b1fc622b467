// SPDX-License-Identifier: MIT
#include "serializer.h"

#include "v1jsonserializer.h"
#include "v2serializer.h"

#include <QRegularExpression>

namespace chatter {

Frame Frame::makeText(QByteArray utf8)
{
    Frame f;
    f.text = QString::fromUtf8(utf8);
    f.data = std::move(utf8);
    return f;
}

Frame Frame::makeBinary(QByteArray bytes)
{
    Frame f;
    f.data = std::move(bytes);
    f.binary = true;
    return f;
}

const Serializer *Serializer::forVsn(const QString &vsn)
{
    if (vsn.isNull())
        return forVersion(Version::V1);
    // Elixir's "~> X.Y.Z" accepts X.Y.*: same major and minor, any patch or pre-release.
    static const QRegularExpression semver(
        QStringLiteral(R"(^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$)"));
    const auto match = semver.match(vsn);
    if (!match.hasMatch())
        return nullptr;
    const int major = match.captured(1).toInt();
    const int minor = match.captured(2).toInt();
    if (major == 1 && minor == 0)
        return forVersion(Version::V1);
    if (major == 2 && minor == 0)
        return forVersion(Version::V2);
    return nullptr;
}

const Serializer *Serializer::forVersion(Version version)
{
    static const V1JsonSerializer v1;
    static const V2Serializer v2;
    return version == Version::V1 ? static_cast<const Serializer *>(&v1) : &v2;
}

} // namespace chatter

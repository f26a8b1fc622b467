// SPDX-License-Identifier: MIT
#include "fileurls.h"

#include "secretcompare.h"

#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QUrl>

#include <algorithm>

namespace chatter::server {

Expected<QByteArray> FileUrlSigner::loadOrCreateKey(const QString &path)
{
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return failure(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        const QByteArray key = file.readAll();
        if (key.size() != KeyBytes)
            return failure(QStringLiteral("%1 is not a %2-byte key").arg(path).arg(KeyBytes));
        return key;
    }
    QByteArray key(KeyBytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(key.data()),
                                          KeyBytes / sizeof(quint32));
    // Owner-only from the first byte: the file is made with those permissions.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(key) != key.size() || !file.flush())
        return failure(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return key;
}

FileUrlSigner::FileUrlSigner(QByteArray key, qint64 ttlMs) : m_key(std::move(key)), m_ttlMs(ttlMs)
{}

qint64 FileUrlSigner::expiryFor(qint64 nowMs) const
{
    const qint64 step = std::clamp<qint64>(m_ttlMs / 24 / 1000, 1, 3600);
    const qint64 earliest = (nowMs + m_ttlMs + 999) / 1000;
    return (earliest + step - 1) / step * step;
}

QByteArray FileUrlSigner::signature(const QString &id, Variant variant, qint64 exp) const
{
    const QByteArray data = id.toUtf8() + '\n' +
                            (variant == Variant::Thumb ? QByteArray("thumb") : "file") + '\n' +
                            QByteArray::number(exp);
    return QMessageAuthenticationCode::hash(data, m_key, QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QString FileUrlSigner::url(const QString &id, const QString &name, Variant variant,
                           qint64 nowMs) const
{
    const qint64 exp = expiryFor(nowMs);
    const QString last = variant == Variant::Thumb
                             ? QStringLiteral("thumb")
                             : QString::fromLatin1(QUrl::toPercentEncoding(name));
    return QStringLiteral("/files/%1/%2?exp=%3&sig=%4")
        .arg(id, last, QString::number(exp), QString::fromLatin1(signature(id, variant, exp)));
}

FileUrlSigner::Check FileUrlSigner::check(const QString &id, Variant variant, const QString &exp,
                                          const QString &sig, qint64 nowMs) const
{
    bool ok = false;
    const qint64 expiry = exp.toLongLong(&ok);
    if (!ok || sig.isEmpty() || exp != QString::number(expiry))
        return Check::Forbidden;
    if (!secretsEqual(signature(id, variant, expiry), sig.toLatin1()))
        return Check::Forbidden;
    return expiry * 1000 <= nowMs ? Check::Expired : Check::Ok;
}

} // namespace chatter::server

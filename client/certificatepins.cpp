// SPDX-License-Identifier: MIT
#include "certificatepins.h"

#include <QCryptographicHash>
#include <QNetworkReply>
#include <QSettings>

namespace chatter::client {
namespace {

//! Where judgeReply() leaves a refused certificate on its reply.
constexpr const char *UntrustedProperty = "chatterUntrusted";

QString keyFor(const QString &hostPort)
{
    // QSettings reads '/' as a group separator; a host:port has none, an IPv6 one has colons.
    return QStringLiteral("certificatePins/") + QString(hostPort).replace(QLatin1Char('/'), '_');
}

} // namespace

QString CertificatePins::pinned(const QString &hostPort) const
{
    return QSettings().value(keyFor(hostPort)).toString();
}

void CertificatePins::pin(const QString &hostPort, const QString &fingerprint)
{
    QSettings().setValue(keyFor(hostPort), fingerprint);
}

void CertificatePins::forget(const QString &hostPort)
{
    QSettings().remove(keyFor(hostPort));
}

QString CertificatePins::fingerprint(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

QSslCertificate CertificatePins::leafOf(const QList<QSslError> &errors)
{
    QList<QSslCertificate> certificates;
    for (const QSslError &error : errors) {
        if (!error.certificate().isNull() && !certificates.contains(error.certificate()))
            certificates.append(error.certificate());
    }
    for (const QSslCertificate &candidate : std::as_const(certificates)) {
        bool issuesAnother = false;
        for (const QSslCertificate &other : std::as_const(certificates)) {
            if (other != candidate && !candidate.isSelfSigned() &&
                other.issuerDisplayName() == candidate.subjectDisplayName())
                issuesAnother = true;
        }
        if (!issuesAnother)
            return candidate;
    }
    return certificates.value(0);
}

QString CertificatePins::hostPortOf(const QUrl &url, int defaultPort)
{
    const QString host = url.host().contains(QLatin1Char(':'))
                             ? QLatin1Char('[') + url.host() + QLatin1Char(']')
                             : url.host();
    return host + QLatin1Char(':') + QString::number(url.port(defaultPort));
}

std::optional<UntrustedCertificate> CertificatePins::judge(const CertificatePins *pins,
                                                           const QString &hostPort,
                                                           const QList<QSslError> &errors)
{
    UntrustedCertificate problem;
    problem.hostPort = hostPort;
    problem.certificate = leafOf(errors);
    problem.fingerprint = fingerprint(problem.certificate);
    for (const QSslError &error : errors)
        problem.errors << error.errorString();
    if (pins && !problem.certificate.isNull()) {
        const QString pinned = pins->pinned(hostPort);
        if (pinned == problem.fingerprint)
            return std::nullopt; // exactly the certificate the user trusted
        if (!pinned.isEmpty())
            problem.pinnedFingerprint = pinned;
    }
    return problem;
}

void CertificatePins::judgeReply(QNetworkReply *reply, const CertificatePins *pins,
                                 const QString &hostPort)
{
    QObject::connect(reply, &QNetworkReply::sslErrors, reply,
                     [reply, pins, hostPort](const QList<QSslError> &errors) {
                         const auto problem = judge(pins, hostPort, errors);
                         if (!problem) {
                             reply->ignoreSslErrors(errors);
                             return;
                         }
                         reply->setProperty(UntrustedProperty, QVariant::fromValue(*problem));
                     });
}

std::optional<UntrustedCertificate> CertificatePins::untrustedOf(const QNetworkReply *reply)
{
    const QVariant untrusted = reply->property(UntrustedProperty);
    if (!untrusted.isValid())
        return std::nullopt;
    return untrusted.value<UntrustedCertificate>();
}

} // namespace chatter::client

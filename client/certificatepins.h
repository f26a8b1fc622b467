// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <QSslCertificate>
#include <QSslError>
#include <QString>
#include <QStringList>
#include <QUrl>

class QNetworkReply;

namespace chatter::client {

//! A server certificate that normal verification did not accept (self-signed, unknown CA,
//! name mismatch), as the socket met it.
struct UntrustedCertificate
{
    QString hostPort; //!< "host:port" of the server, the key of its pin
    QSslCertificate certificate;
    QString fingerprint; //!< SHA-256, "AB:CD:…" as the server's monitor shows it
    QStringList errors;  //!< what verification said, for humans
    //! The fingerprint pinned for this host:port before, if it differs: the certificate
    //! changed, and the connection was refused without asking.
    QString pinnedFingerprint;

    bool changed() const { return !pinnedFingerprint.isEmpty(); }
};

//! Trust on first use, as Quassel does: certificates the user accepted once, one per
//! host:port, kept in QSettings. A connection to a pinned host:port is accepted only with
//! exactly that certificate; a different one is refused, never silently re-asked.
class CertificatePins
{
public:
    QString pinned(const QString &hostPort) const;
    void pin(const QString &hostPort, const QString &fingerprint);
    void forget(const QString &hostPort);

    static QString fingerprint(const QSslCertificate &certificate);
    //! The pin key of a server address: "host:port", an IPv6 host in brackets.
    static QString hostPortOf(const QUrl &url, int defaultPort);
    //! The server's own certificate among those `errors` name (the one that issued none of
    //! the others).
    static QSslCertificate leafOf(const QList<QSslError> &errors);
    //! What TLS verification's `errors` mean for `hostPort`: nothing (std::nullopt) when the
    //! server showed exactly the certificate pinned for it in `pins` (the caller ignores the
    //! errors), otherwise the problem for the user to judge. The socket and the account API
    //! both ask this, so both trust the same certificates.
    static std::optional<UntrustedCertificate>
    judge(const CertificatePins *pins, const QString &hostPort, const QList<QSslError> &errors);
    //! Makes `reply` answer its TLS errors with judge() the moment they come (inside the
    //! signal, as the socket does): the certificate pinned for `hostPort` is accepted, any other
    //! unverified one ends the request and untrustedOf() then names it. `pins` (may be null)
    //! must outlive the reply.
    static void judgeReply(QNetworkReply *reply, const CertificatePins *pins,
                           const QString &hostPort);
    //! The certificate judgeReply() refused for `reply`, if it did.
    static std::optional<UntrustedCertificate> untrustedOf(const QNetworkReply *reply);
};

} // namespace chatter::client

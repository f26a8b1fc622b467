// SPDX-License-Identifier: MIT
#pragma once

#include <QSslCertificate>
#include <QSslError>
#include <QString>
#include <QStringList>

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
    //! The server's own certificate among those `errors` name (the one that issued none of
    //! the others).
    static QSslCertificate leafOf(const QList<QSslError> &errors);
};

} // namespace chatter::client

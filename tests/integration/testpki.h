// SPDX-License-Identifier: MIT
#pragma once

#include <QDir>
#include <QSslCertificate>
#include <QTemporaryDir>

//! A certificate authority and two server certificates ("server" and "other", both for
//! localhost, 127.0.0.1 and ::1, EC P-256), made for one test run with the OpenSSL API (no
//! child process: ThreadSanitizer forbids threads after a fork) and removed with it. The
//! files are the ones tests/tls/make-test-ca.sh makes: ca.pem, server.pem/.key, other.pem/.key.
class TestPki
{
public:
    TestPki();
    bool isValid() const { return m_ok && m_dir.isValid(); }
    QString path(const QString &name) const { return QDir(m_dir.path()).filePath(name); }
    QSslCertificate certificate(const QString &name) const
    {
        return QSslCertificate::fromPath(path(name)).value(0);
    }
    QSslCertificate ca() const { return certificate(QStringLiteral("ca.pem")); }

private:
    QTemporaryDir m_dir;
    bool m_ok = false;
};

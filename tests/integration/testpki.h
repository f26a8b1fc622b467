// SPDX-License-Identifier: MIT
#pragma once

#include <QDir>
#include <QProcess>
#include <QSslCertificate>
#include <QTemporaryDir>

//! A certificate authority and two server certificates (localhost, 127.0.0.1, ::1) made for
//! one test run by tests/tls/make-test-ca.sh (the openssl command line), removed with it.
class TestPki
{
public:
    TestPki()
    {
        QProcess script;
        script.start(QStringLiteral(CHATTER_SOURCE_DIR "/tests/tls/make-test-ca.sh"),
                     {m_dir.path()});
        m_ok = script.waitForFinished(60000) && script.exitCode() == 0;
    }
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

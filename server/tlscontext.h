// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QString>

#include <memory>
#include <mutex>

typedef struct ssl_ctx_st SSL_CTX;

namespace chatter::server {

class TlsSession;

//! The server's certificate and key as an OpenSSL context, shared by every worker.
//! Thread-safe: workers start sessions from it while SIGHUP's reload() replaces it on the main
//! thread; a session keeps the context it started with, so connections made before a reload
//! carry on and only new ones present the new certificate.
class TlsContext
{
public:
    TlsContext(QString certificateFile, QString keyFile);
    ~TlsContext();

    //! (Re)reads the certificate chain and key; on failure the previous ones stay in use.
    Expected<void> reload();
    //! A server session of the current certificate; null if none is loaded.
    std::unique_ptr<TlsSession> newSession() const;
    //! SHA-256 of the current certificate, "AB:CD:…" as browsers and `openssl x509` show it.
    QString fingerprint() const;
    QString certificateFile() const { return m_certificateFile; }

private:
    const QString m_certificateFile;
    const QString m_keyFile;
    mutable std::mutex m_mutex;
    std::shared_ptr<SSL_CTX> m_context; //!< behind m_mutex
    QString m_fingerprint;              //!< behind m_mutex
};

} // namespace chatter::server

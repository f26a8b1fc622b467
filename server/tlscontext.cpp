// SPDX-License-Identifier: MIT
#include "tlscontext.h"

#include "tlssession.h"

#include <QFile>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace chatter::server {

TlsContext::TlsContext(QString certificateFile, QString keyFile)
    : m_certificateFile(std::move(certificateFile)), m_keyFile(std::move(keyFile))
{}

TlsContext::~TlsContext() = default;

Expected<void> TlsContext::reload()
{
    ERR_clear_error();
    std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    if (!context)
        return failure(TlsSession::lastError());
    SSL_CTX *ctx = context.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // An idle connection keeps no record buffers (they come back for each read and write):
    // thousands of idle sockets would otherwise hold ~34 KiB each.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    const QByteArray certificate = QFile::encodeName(m_certificateFile);
    const QByteArray key = QFile::encodeName(m_keyFile);
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate.constData()) != 1)
        return failure(QStringLiteral("cannot read the certificate %1: %2")
                           .arg(m_certificateFile, TlsSession::lastError()));
    if (SSL_CTX_use_PrivateKey_file(ctx, key.constData(), SSL_FILETYPE_PEM) != 1)
        return failure(
            QStringLiteral("cannot read the key %1: %2").arg(m_keyFile, TlsSession::lastError()));
    if (SSL_CTX_check_private_key(ctx) != 1)
        return failure(QStringLiteral("the key %1 does not belong to the certificate %2")
                           .arg(m_keyFile, m_certificateFile));

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(SSL_CTX_get0_certificate(ctx), EVP_sha256(), digest, &length);
    const QString fingerprint = QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex(':').toUpper());

    std::lock_guard lock(m_mutex);
    m_context = std::move(context);
    m_fingerprint = fingerprint;
    return {};
}

std::unique_ptr<TlsSession> TlsContext::newSession() const
{
    std::shared_ptr<SSL_CTX> context;
    {
        std::lock_guard lock(m_mutex);
        context = m_context;
    }
    if (!context)
        return nullptr;
    // SSL_new takes its own reference to the context, which outlives a reload for it.
    auto session = std::make_unique<TlsSession>(context.get());
    return session->isValid() ? std::move(session) : nullptr;
}

QString TlsContext::fingerprint() const
{
    std::lock_guard lock(m_mutex);
    return m_fingerprint;
}

} // namespace chatter::server

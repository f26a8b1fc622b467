// SPDX-License-Identifier: MIT
#include "tlssession.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <climits>

namespace chatter::server {

//! The write side of a session: a sink BIO that appends each record straight to the session's
//! output buffer. A memory BIO would copy every record twice (into the BIO, then out of it);
//! this copies it once, from OpenSSL's record buffer to the buffer that is sent.
struct TlsOutputBio
{
    static int write(BIO *bio, const char *data, size_t size, size_t *written)
    {
        auto *session = static_cast<TlsSession *>(BIO_get_data(bio));
        session->m_output.append(data, qsizetype(size));
        *written = size;
        return 1;
    }

    static long control(BIO *, int command, long, void *)
    {
        // OpenSSL flushes after each handshake flight; everything is written already.
        return command == BIO_CTRL_FLUSH ? 1 : 0;
    }

    static int create(BIO *bio)
    {
        BIO_set_init(bio, 1);
        return 1;
    }

    static BIO_METHOD *method()
    {
        static BIO_METHOD *const instance = [] {
            BIO_METHOD *m =
                BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "chatter TLS output");
            BIO_meth_set_write_ex(m, &TlsOutputBio::write);
            BIO_meth_set_ctrl(m, &TlsOutputBio::control);
            BIO_meth_set_create(m, &TlsOutputBio::create);
            return m;
        }();
        return instance;
    }
};

TlsSession::TlsSession(SSL_CTX *context)
{
    m_ssl = SSL_new(context);
    if (!m_ssl)
        return;
    m_input = BIO_new(BIO_s_mem());
    BIO *output = BIO_new(TlsOutputBio::method());
    if (!m_input || !output) {
        BIO_free(m_input);
        BIO_free(output);
        SSL_free(m_ssl);
        m_ssl = nullptr;
        m_input = nullptr;
        return;
    }
    // An empty input BIO means "wait for more", not end of stream.
    BIO_set_mem_eof_return(m_input, -1);
    BIO_set_data(output, this);
    SSL_set_bio(m_ssl, m_input, output); // the session owns both from here
    SSL_set_accept_state(m_ssl);
}

TlsSession::~TlsSession()
{
    if (m_ssl)
        SSL_free(m_ssl);
}

void TlsSession::feed(const char *data, qsizetype size)
{
    if (m_input && size > 0)
        BIO_write(m_input, data, int(std::min<qsizetype>(size, INT_MAX)));
}

Expected<bool> TlsSession::handshake()
{
    if (!m_ssl)
        return failure(QStringLiteral("no TLS session"));
    if (m_handshakeComplete)
        return true;
    ERR_clear_error();
    const int result = SSL_do_handshake(m_ssl);
    if (result == 1) {
        m_handshakeComplete = true;
        return true;
    }
    const int error = SSL_get_error(m_ssl, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE)
        return false;
    return failure(lastError());
}

qsizetype TlsSession::read(char *buffer, qsizetype capacity)
{
    if (!m_ssl)
        return qsizetype(ReadEnd::Failed);
    ERR_clear_error();
    size_t n = 0;
    if (SSL_read_ex(m_ssl, buffer, size_t(std::min<qsizetype>(capacity, INT_MAX)), &n) == 1)
        return qsizetype(n);
    switch (SSL_get_error(m_ssl, 0)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return qsizetype(ReadEnd::NeedMore);
    case SSL_ERROR_ZERO_RETURN:
        return qsizetype(ReadEnd::Closed);
    default:
        return qsizetype(ReadEnd::Failed);
    }
}

bool TlsSession::hasBufferedInput() const
{
    return m_ssl && (SSL_pending(m_ssl) > 0 || BIO_ctrl_pending(m_input) > 0);
}

bool TlsSession::encrypt(const char *plain, qsizetype size)
{
    if (!m_ssl || !m_handshakeComplete)
        return false;
    size_t written = 0;
    // The output BIO never refuses, so a write is always complete.
    return size == 0 || SSL_write_ex(m_ssl, plain, size_t(size), &written) == 1;
}

QByteArray TlsSession::encrypted(const QByteArray &plain)
{
    encrypt(plain.constData(), plain.size());
    return takeOutput();
}

void TlsSession::closeNotify()
{
    if (m_ssl && m_handshakeComplete)
        SSL_shutdown(m_ssl);
}

QString TlsSession::description() const
{
    if (!m_ssl)
        return {};
    return QString::fromLatin1(SSL_get_version(m_ssl)) + QLatin1Char(' ') +
           QString::fromLatin1(SSL_get_cipher_name(m_ssl));
}

QString TlsSession::lastError()
{
    QString text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.isEmpty())
            text += QLatin1String("; ");
        text += QString::fromLatin1(buffer);
    }
    return text.isEmpty() ? QStringLiteral("TLS handshake failed") : text;
}

} // namespace chatter::server

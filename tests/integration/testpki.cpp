// SPDX-License-Identifier: MIT
#include "testpki.h"

#include <QFile>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace {

bool addExtension(X509 *certificate, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (!extension)
        return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

//! A certificate for `key`, signed by `issuerKey` (itself when `issuer` is null).
X509 *makeCertificate(EVP_PKEY *key, const char *commonName, long serial, X509 *issuer,
                      EVP_PKEY *issuerKey, bool ca)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 2 * 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("Chatter tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509 *signer = issuer ? issuer : x;
    const bool ok =
        ca ? addExtension(x, signer, NID_basic_constraints, "critical,CA:TRUE") &&
                 addExtension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign")
           : addExtension(x, signer, NID_basic_constraints, "CA:FALSE") &&
                 addExtension(x, signer, NID_key_usage, "critical,digitalSignature") &&
                 addExtension(x, signer, NID_ext_key_usage, "serverAuth") &&
                 addExtension(x, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (!ok || X509_sign(x, issuerKey, EVP_sha256()) <= 0) {
        X509_free(x);
        return nullptr;
    }
    return x;
}

bool writeFile(const QString &path, const std::function<int(BIO *)> &write)
{
    BIO *bio = BIO_new(BIO_s_mem());
    const bool written = write(bio) == 1;
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    QFile file(path);
    const bool saved = written && file.open(QIODevice::WriteOnly) && file.write(data, size) == size;
    BIO_free(bio);
    return saved;
}

} // namespace

TestPki::TestPki()
{
    EVP_PKEY *caKey = EVP_EC_gen("P-256");
    X509 *ca = caKey ? makeCertificate(caKey, "Chatter test CA", 1, nullptr, caKey, true) : nullptr;
    m_ok = ca && writeFile(path(QStringLiteral("ca.pem")),
                           [&](BIO *bio) { return PEM_write_bio_X509(bio, ca); });
    long serial = 2;
    for (const char *name : {"server", "other"}) {
        EVP_PKEY *key = EVP_EC_gen("P-256");
        X509 *certificate = key ? makeCertificate(key, name, serial++, ca, caKey, false) : nullptr;
        const QString base = QString::fromLatin1(name);
        m_ok = m_ok && certificate &&
               writeFile(path(base + QStringLiteral(".pem")),
                         [&](BIO *bio) { return PEM_write_bio_X509(bio, certificate); }) &&
               writeFile(path(base + QStringLiteral(".key")), [&](BIO *bio) {
                   return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
               });
        X509_free(certificate);
        EVP_PKEY_free(key);
    }
    X509_free(ca);
    EVP_PKEY_free(caKey);
}

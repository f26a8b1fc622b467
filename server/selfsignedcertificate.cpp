// SPDX-License-Identifier: MIT
#include "selfsignedcertificate.h"

#include "tlssession.h"

#include <QDir>
#include <QFile>
#include <QHostInfo>
#include <QNetworkInterface>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace chatter::server {
namespace {

template <typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertificatePtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

bool addExtension(X509 *certificate, int nid, const QByteArray &value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData());
    if (!extension)
        return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

Expected<void> writePem(const QString &path, bool secret, const std::function<int(BIO *)> &write)
{
    QFile file(path);
    // A key is created readable by its owner only, never briefly by everyone.
    const QFile::Permissions permissions =
        secret ? QFile::ReadOwner | QFile::WriteOwner
               : QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, permissions))
        return failure(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1)
        return failure(TlsSession::lastError());
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    if (file.write(data, size) != size || !file.flush())
        return failure(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace

QStringList SelfSignedCertificate::machineHostNames()
{
    QStringList names;
    const QString host = QHostInfo::localHostName();
    if (!host.isEmpty()) {
        names << host;
        if (!host.contains(QLatin1Char('.')))
            names << host + QStringLiteral(".local"); // the mDNS name browsers on the LAN use
    }
    names << QStringLiteral("localhost");
    names.removeDuplicates();
    return names;
}

QList<QHostAddress> SelfSignedCertificate::machineAddresses()
{
    QList<QHostAddress> addresses;
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        // A link-local IPv6 address needs its scope in a URL, so no certificate names it.
        if (address.scopeId().isEmpty() && !addresses.contains(address))
            addresses << address;
    }
    return addresses;
}

Expected<SelfSignedCertificate> SelfSignedCertificate::ensure(const QString &directory)
{
    const QString dir = QDir(directory).filePath(QStringLiteral("tls"));
    SelfSignedCertificate files{QDir(dir).filePath(QStringLiteral("self-signed.pem")),
                                QDir(dir).filePath(QStringLiteral("self-signed.key"))};
    if (QFile::exists(files.certificateFile) && QFile::exists(files.keyFile))
        return files;
    if (!QDir().mkpath(dir))
        return failure(QStringLiteral("cannot create %1").arg(dir));
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (auto made =
            create(files.certificateFile, files.keyFile, machineHostNames(), machineAddresses());
        !made)
        return failure(made.error());
    return files;
}

Expected<void> SelfSignedCertificate::create(const QString &certificateFile, const QString &keyFile,
                                             const QStringList &hostNames,
                                             const QList<QHostAddress> &addresses)
{
    KeyPtr key(EVP_EC_gen("P-256"));
    CertificatePtr certificate(X509_new());
    if (!key || !certificate)
        return failure(TlsSession::lastError());
    X509 *x = certificate.get();
    X509_set_version(x, 2); // v3, for the extensions
    // A random serial: browsers refuse two certificates of one issuer and serial that differ.
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_new());
    BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
    X509_set_pubkey(x, key.get());
    X509_NAME *name = X509_get_subject_name(x);
    const QByteArray commonName = QStringLiteral("Chatter on %1")
                                      .arg(hostNames.value(0, QStringLiteral("localhost")))
                                      .toUtf8();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>("Chatter"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(commonName.constData()), -1,
                               -1, 0);
    X509_set_issuer_name(x, name);

    QStringList alternatives;
    for (const QString &host : hostNames)
        alternatives << QStringLiteral("DNS:") + host;
    for (const QHostAddress &address : addresses)
        alternatives << QStringLiteral("IP:") + address.toString();
    // No keyUsage: a self-signed certificate that clients trust directly must be allowed to
    // have signed itself.
    if (!addExtension(x, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExtension(x, NID_ext_key_usage, "serverAuth") ||
        !addExtension(x, NID_subject_key_identifier, "hash") ||
        !addExtension(x, NID_subject_alt_name, alternatives.join(QLatin1Char(',')).toUtf8()))
        return failure(
            QStringLiteral("cannot build the certificate: %1").arg(TlsSession::lastError()));
    if (X509_sign(x, key.get(), EVP_sha256()) <= 0)
        return failure(TlsSession::lastError());

    if (auto written = writePem(keyFile, true,
                                [&](BIO *bio) {
                                    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr,
                                                                    nullptr, 0, nullptr, nullptr);
                                });
        !written)
        return written;
    return writePem(certificateFile, false, [&](BIO *bio) { return PEM_write_bio_X509(bio, x); });
}

} // namespace chatter::server

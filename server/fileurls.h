// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

namespace chatter::server {

//! Signed, expiring file URLs (docs/files-and-search.md): `/files/<id>/<name>` and
//! `/files/<id>/thumb` with `exp` (Unix seconds) and `sig`, the base64url HMAC-SHA256 of
//! `<id>\n<variant>\n<exp>`. An `<img>` sends no header, so the signature is the permission:
//! only those who may read a message get its URLs. Immutable after construction: any thread.
class FileUrlSigner
{
public:
    enum class Variant
    {
        File,
        Thumb
    };
    enum class Check
    {
        Ok,
        Forbidden, //!< no, a malformed or a wrong signature
        Expired    //!< a valid signature whose time is past
    };
    static constexpr qsizetype KeyBytes = 32;

    //! The key in `path` (made, mode 0600, when there is none yet), so that URLs survive a
    //! restart.
    static Expected<QByteArray> loadOrCreateKey(const QString &path);

    FileUrlSigner(QByteArray key, qint64 ttlMs);

    //! When a URL made at `nowMs` expires, in Unix seconds. Rounded up to a step (a 24th of the
    //! lifetime, at most an hour) so that the URLs of one file stay the same for a while and
    //! browsers can cache what they load.
    qint64 expiryFor(qint64 nowMs) const;
    QByteArray signature(const QString &id, Variant variant, qint64 exp) const;
    //! The path and query, e.g. `/files/<id>/<percent-encoded name>?exp=…&sig=…`.
    QString url(const QString &id, const QString &name, Variant variant, qint64 nowMs) const;
    //! Checks the `exp` and `sig` of a request, the signature first (a forged URL is never
    //! told that it expired).
    Check check(const QString &id, Variant variant, const QString &exp, const QString &sig,
                qint64 nowMs) const;

private:
    QByteArray m_key;
    qint64 m_ttlMs;
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#include "discoveryrecords.h"

namespace chatter::discovery {

QList<QByteArray> chatterTxt(const ServiceRecords &records)
{
    QList<QByteArray> strings{
        "version=" + records.version.toUtf8(),
        QByteArray("tls=") + (records.tls ? "1" : "0"),
        QByteArray("accounts=") + (records.accountsRequired ? "required" : "optional"),
    };
    if (records.usersOnline >= 0)
        strings.append("users=" + QByteArray::number(records.usersOnline));
    return strings;
}

QList<QByteArray> webTxt(bool tls)
{
    return {QByteArrayLiteral("path=/"), QByteArray("tls=") + (tls ? "1" : "0")};
}

ServiceRecords parseChatterTxt(const QList<QByteArray> &strings)
{
    ServiceRecords records;
    for (const QByteArray &string : strings) {
        const qsizetype equals = string.indexOf('=');
        if (equals <= 0)
            continue;
        // RFC 6763: keys are case-insensitive.
        const QByteArray key = string.left(equals).toLower();
        const QByteArray value = string.mid(equals + 1);
        if (key == "version") {
            records.version = QString::fromUtf8(value);
        } else if (key == "tls") {
            records.tls = value == "1";
        } else if (key == "accounts") {
            records.accountsRequired = value == "required";
        } else if (key == "users") {
            bool ok = false;
            const int users = value.toInt(&ok);
            if (ok && users >= 0)
                records.usersOnline = users;
        }
    }
    return records;
}

} // namespace chatter::discovery

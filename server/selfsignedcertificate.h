// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace chatter::server {

//! `--tls-self-signed`: a key and certificate made by the server for itself, kept in the data
//! directory and reused on later runs, so that clients that pinned it keep trusting it.
struct SelfSignedCertificate
{
    QString certificateFile;
    QString keyFile;

    //! The files in `directory`/tls, made first if they do not exist: an EC P-256 key and a
    //! certificate for this machine's host names and addresses (valid ten years).
    static Expected<SelfSignedCertificate> ensure(const QString &directory);
    //! Writes a new key and certificate for these names and addresses (the key readable only
    //! by its owner).
    static Expected<void> create(const QString &certificateFile, const QString &keyFile,
                                 const QStringList &hostNames,
                                 const QList<QHostAddress> &addresses);
    //! This machine's names (host name, `<host>.local`, localhost) and interface addresses.
    static QStringList machineHostNames();
    static QList<QHostAddress> machineAddresses();
};

} // namespace chatter::server

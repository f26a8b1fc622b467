// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace chatter::discovery {

//! The DNS-SD vocabulary of a Chatter server (docs/discovery.md), in one place for the server
//! that announces it and the client that browses for it.
inline constexpr char ChatterServiceType[] = "_chatter._tcp";
//! The web client, for the service browsers of phones and other browsers.
inline constexpr char WebServiceType[] = "_http._tcp";

//! What a `_chatter._tcp` service's TXT record says.
struct ServiceRecords
{
    QString version;
    bool tls = false;
    bool accountsRequired = false;
    //! Connections at the last update (updated at most every few seconds); -1: not said.
    int usersOnline = -1;
};

//! The TXT strings (`key=value`) of `_chatter._tcp`: version, tls (0/1), accounts
//! (required/optional), users.
QList<QByteArray> chatterTxt(const ServiceRecords &records);
//! The TXT strings of `_http._tcp`: path=/ (RFC 6763's key for the page to open), and tls.
QList<QByteArray> webTxt(bool tls);
//! Reads what chatterTxt() wrote; unknown keys are ignored, missing ones keep their defaults.
ServiceRecords parseChatterTxt(const QList<QByteArray> &strings);

} // namespace chatter::discovery

// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

namespace chatter::server::sessiontokens {

//! A new session token: 256 random bits (libsodium), base64url without padding.
struct Token
{
    QString text;    //!< what the client holds; never stored
    QByteArray hash; //!< SHA-256 of the text: what the server stores and looks up
};
Token generate();
//! The stored form of a token a client presents.
QByteArray hashOf(const QString &text);

} // namespace chatter::server::sessiontokens

// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

namespace chatter::server {

//! The browser client's invite dialog (`GET /invite.svg?origin=…`): the QR code of the address
//! a phone opens to join, which is the one this browser reached the server at. The page's own
//! origin says it best (the scheme is the browser's, even behind a proxy that took TLS off);
//! the server only encodes an origin whose host and port are the request's Host header, so the
//! code can never point anywhere but here.
namespace inviteqr {

//! `origin` + "/" (the sign-in page) when `origin` is a bare http(s) origin for `host` (the
//! Host header); otherwise why not.
Expected<QString> joinUrl(const QString &origin, const QString &host);

//! The SVG of joinUrl()'s code, or why there is none.
Expected<QByteArray> svgFor(const QString &origin, const QString &host);

} // namespace inviteqr

} // namespace chatter::server

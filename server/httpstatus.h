// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

namespace chatter::server {

//! A complete HTTP/1.1 response that ends the connection: the status, `body` and the headers
//! every refusal carries. For the answers the server gives before (or instead of) QHttpServer.
QByteArray closingResponse(int status, const QByteArray &body = {},
                           const QByteArray &extraHeaders = {});

} // namespace chatter::server

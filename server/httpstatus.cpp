// SPDX-License-Identifier: MIT
#include "httpstatus.h"

namespace chatter::server {
namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

} // namespace

QByteArray closingResponse(int status, const QByteArray &body, const QByteArray &extraHeaders)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
           "\r\ncontent-length: " + QByteArray::number(body.size()) +
           "\r\ncache-control: no-store\r\nconnection: close\r\n" + extraHeaders + "\r\n" + body;
}

} // namespace chatter::server

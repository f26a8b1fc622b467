// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

namespace chatter::server::multipart {

//! One part of a multipart/form-data body (RFC 7578).
struct Part
{
    QByteArray name;  //!< the form field's name
    QString filename; //!< `filename*=UTF-8''…` when given, else `filename`; may be empty
    QByteArray type;  //!< the part's Content-Type, lower-cased, parameters dropped
    QByteArray body;  //!< shares the request body's bytes
    bool hasFilename = false;
};

//! The boundary parameter of a `multipart/form-data` Content-Type, or empty.
QByteArray boundaryOf(const QByteArray &contentType);

//! The first part named `field` of `body`, or why there is none. Strict about framing (every
//! part ends at a delimiter line, the body at the closing one); tolerant of header case,
//! quoting and a preamble.
Expected<Part> find(const QByteArray &body, const QByteArray &boundary, const QByteArray &field);

} // namespace chatter::server::multipart

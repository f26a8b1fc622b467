// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QStringView>

namespace chatter::jsontext {

//! Compact JSON text written straight from fields, for the frames built on every join
//! (presence state): what QJsonObject + QJsonDocument would give, without building the
//! objects first. Output is RFC 8259 text that any reader takes as the same value.
//!
//! `text` as a JSON string: quotes, backslash and control characters escaped (\b \f \n \r \t,
//! else \u00XX), U+FEFF as \ufeff (Qt readers would drop it raw: see jsonwire::compact), an
//! unpaired surrogate as \uXXXX (as QJsonDocument writes it), the rest as UTF-8.
void appendString(QByteArray &out, QStringView text);
//! A scalar (null, bool, number, string) as QJsonDocument writes it; arrays and objects too,
//! through QJsonDocument.
void appendValue(QByteArray &out, const QJsonValue &value);

} // namespace chatter::jsontext

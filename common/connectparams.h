// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QString>

namespace chatter::connectparams {

//! Parses a query string the way Plug does for socket connect params: percent-decoding,
//! bracket keys nest (`a[b]=1` → {"a":{"b":"1"}}, `ids[0]=x` → {"ids":{"0":"x"}}), empty
//! segments are skipped and the last duplicate wins.
QJsonObject parse(QStringView query);

} // namespace chatter::connectparams

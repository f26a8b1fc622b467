// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

//! `--trusted-proxies`: the load balancers whose connections begin with a PROXY v2 header.
namespace chatter::server::trustedproxies {

using Subnet = QPair<QHostAddress, int>;

//! One entry: an address ("127.0.0.1", "::1"), which stands for itself, or a subnet in CIDR
//! form ("10.0.0.0/8", "fd00::/8"). False, with `error` saying why, for anything else.
bool parse(const QString &entry, Subnet *subnet, QString *error);
//! Whether `peer` (an IPv4-mapped IPv6 address counts as its IPv4 address) is in one of them.
bool contains(const QList<Subnet> &subnets, const QHostAddress &peer);

} // namespace chatter::server::trustedproxies

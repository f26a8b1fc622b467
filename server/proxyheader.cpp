// SPDX-License-Identifier: MIT
#include "proxyheader.h"

#include <QtEndian>

namespace chatter::server {
namespace {

constexpr qsizetype VersionCommandAt = 12;
constexpr qsizetype FamilyAt = 13;
constexpr qsizetype LengthAt = 14;
//! Source and destination addresses, then ports: 4+4+2+2 and 16+16+2+2 bytes.
constexpr int IPv4Block = 12;
constexpr int IPv6Block = 36;

ProxyHeader invalid(QString reason)
{
    ProxyHeader header;
    header.status = ProxyHeader::Status::Invalid;
    header.reason = std::move(reason);
    return header;
}

quint16 port16(const uchar *at)
{
    return qFromBigEndian<quint16>(at);
}

} // namespace

bool ProxyHeader::startsWithSignature(QByteArrayView bytes)
{
    return bytes.size() >= SignatureSize &&
           bytes.first(SignatureSize) == QByteArrayView(Signature, SignatureSize);
}

ProxyHeader ProxyHeader::parse(QByteArrayView bytes)
{
    const QByteArrayView signature(Signature, SignatureSize);
    const qsizetype prefix = qMin(bytes.size(), SignatureSize);
    if (bytes.first(prefix) != signature.first(prefix))
        return invalid(QStringLiteral("no PROXY v2 signature"));
    ProxyHeader header;
    if (bytes.size() <= VersionCommandAt)
        return header;

    const auto *data = reinterpret_cast<const uchar *>(bytes.data());
    const uchar versionCommand = data[VersionCommandAt];
    if ((versionCommand >> 4) != 2)
        return invalid(QStringLiteral("PROXY protocol version %1, not 2").arg(versionCommand >> 4));
    switch (versionCommand & 0x0f) {
    case 0x0:
        header.command = Command::Local;
        break;
    case 0x1:
        header.command = Command::Proxy;
        break;
    default:
        return invalid(QStringLiteral("unknown PROXY command %1").arg(versionCommand & 0x0f));
    }
    if (bytes.size() < FixedSize)
        return header;

    const uchar familyProtocol = data[FamilyAt];
    const int length = port16(data + LengthAt);
    if (length > MaxLength)
        return invalid(
            QStringLiteral("PROXY header of %1 bytes (at most %2)").arg(length).arg(MaxLength));
    // Other families (UDP, Unix sockets, AF_UNSPEC) name no TCP client: read as LOCAL.
    if (familyProtocol == 0x11 && header.command == Command::Proxy)
        header.family = Family::TcpIPv4;
    else if (familyProtocol == 0x21 && header.command == Command::Proxy)
        header.family = Family::TcpIPv6;
    const int block = header.family == Family::TcpIPv4   ? IPv4Block
                      : header.family == Family::TcpIPv6 ? IPv6Block
                                                         : 0;
    if (length < block)
        return invalid(
            QStringLiteral("PROXY header of %1 bytes is too short for its addresses").arg(length));
    if (bytes.size() < FixedSize + length)
        return header;

    const uchar *addresses = data + FixedSize;
    if (header.family == Family::TcpIPv4) {
        header.source = QHostAddress(qFromBigEndian<quint32>(addresses));
        header.destination = QHostAddress(qFromBigEndian<quint32>(addresses + 4));
        header.sourcePort = port16(addresses + 8);
        header.destinationPort = port16(addresses + 10);
    } else if (header.family == Family::TcpIPv6) {
        header.source = QHostAddress(addresses);
        header.destination = QHostAddress(addresses + 16);
        header.sourcePort = port16(addresses + 32);
        header.destinationPort = port16(addresses + 34);
    }
    // TLVs (what follows the addresses, up to `length`) are skipped: nothing here needs them.
    header.size = FixedSize + length;
    header.status = Status::Parsed;
    return header;
}

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QString>

namespace chatter::server {

//! The PROXY protocol version 2 header a load balancer puts in front of a connection to say
//! whose it is (haproxy.org's proxy-protocol.txt, section 2.2): a 12-byte signature, the
//! version and command, the address family and transport, a 16-bit length, then the addresses
//! and TLVs. Pure: bytes in, a verdict out; the front door reads it only from --trusted-proxies
//! (docs/security.md). Any thread.
class ProxyHeader
{
public:
    //! `0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A`: no HTTP request, TLS record or v1 header starts so.
    static constexpr char Signature[] = "\r\n\r\n\0\r\nQUIT\n";
    static constexpr qsizetype SignatureSize = 12;
    //! Signature, version/command, family/protocol and the 16-bit length.
    static constexpr qsizetype FixedSize = 16;
    //! The longest address-and-TLV part accepted (a balancer's TLVs fit easily; more is noise).
    static constexpr int MaxLength = 512;
    static constexpr qsizetype MaxSize = FixedSize + MaxLength;

    enum class Status
    {
        NeedMore, //!< a valid prefix: the rest has not arrived yet
        Invalid,  //!< not a PROXY v2 header, or one this parser refuses (`reason` says which)
        Parsed
    };
    enum class Command
    {
        Local, //!< the balancer's own connection (a health check): no client behind it
        Proxy
    };
    enum class Family
    {
        Unspecified, //!< AF_UNSPEC, and every family other than the two below
        TcpIPv4,
        TcpIPv6
    };

    Status status = Status::NeedMore;
    QString reason; //!< for Invalid
    Command command = Command::Local;
    //! The family of the addresses used: Unspecified for LOCAL and for families not read.
    Family family = Family::Unspecified;
    QHostAddress source; //!< set only when usesAddresses()
    quint16 sourcePort = 0;
    QHostAddress destination;
    quint16 destinationPort = 0;
    qsizetype size = 0; //!< the whole header's bytes, TLVs included, once Parsed

    //! Whether the header names a client: PROXY over TCP/IPv4 or TCP/IPv6. Anything else
    //! (LOCAL, another family) keeps the connection's own address.
    bool usesAddresses() const
    {
        return command == Command::Proxy && family != Family::Unspecified;
    }

    //! Reads the header at the start of `bytes`, which may hold more (what follows it).
    //! Invalid as soon as a byte that has arrived rules the header out.
    static ProxyHeader parse(QByteArrayView bytes);
    //! Whether `bytes` begins with the whole signature.
    static bool startsWithSignature(QByteArrayView bytes);
};

} // namespace chatter::server

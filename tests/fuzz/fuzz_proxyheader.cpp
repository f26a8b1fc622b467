// SPDX-License-Identifier: MIT
// The front door's PROXY v2 header parser (server/proxyheader.*) on arbitrary bytes, as a
// trusted balancer's connection would open. Invariants: a parsed header lies within the input,
// is 16 to 528 bytes, starts with the signature and parses the same from its own bytes alone
// (what follows it changes nothing); every shorter prefix of it, or of an input still waiting,
// waits too; an input ruled out stays ruled out whatever arrives after it; addresses are used
// only for PROXY over TCP/IPv4 or TCP/IPv6, and then in that family.
#include "fuzzcheck.h"
#include "proxyheader.h"

using chatter::server::ProxyHeader;

namespace {

bool sameHeader(const ProxyHeader &a, const ProxyHeader &b)
{
    return a.status == b.status && a.command == b.command && a.family == b.family &&
           a.source == b.source && a.sourcePort == b.sourcePort && a.destination == b.destination &&
           a.destinationPort == b.destinationPort && a.size == b.size;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QByteArrayView input = chatter::fuzz::bytesOf(data, size);
    const ProxyHeader header = ProxyHeader::parse(input);
    switch (header.status) {
    case ProxyHeader::Status::Invalid: {
        FUZZ_CHECK(!header.reason.isEmpty());
        const QByteArray longer = input.toByteArray() + QByteArray(ProxyHeader::MaxSize, '\0');
        FUZZ_CHECK(ProxyHeader::parse(longer).status == ProxyHeader::Status::Invalid);
        return 0;
    }
    case ProxyHeader::Status::NeedMore:
        FUZZ_CHECK(input.size() < ProxyHeader::MaxSize);
        FUZZ_CHECK(input.size() < ProxyHeader::SignatureSize ||
                   ProxyHeader::startsWithSignature(input));
        for (const qsizetype cut : {input.size() / 2, input.size() - 1}) {
            if (cut >= 0)
                FUZZ_CHECK(ProxyHeader::parse(input.first(cut)).status ==
                           ProxyHeader::Status::NeedMore);
        }
        return 0;
    case ProxyHeader::Status::Parsed:
        break;
    }
    FUZZ_CHECK(header.size >= ProxyHeader::FixedSize && header.size <= ProxyHeader::MaxSize);
    FUZZ_CHECK(header.size <= input.size());
    FUZZ_CHECK(ProxyHeader::startsWithSignature(input));
    FUZZ_CHECK(sameHeader(header, ProxyHeader::parse(input.first(header.size))));
    for (const qsizetype cut : {qsizetype(0), header.size / 2, header.size - 1})
        FUZZ_CHECK(ProxyHeader::parse(input.first(cut)).status == ProxyHeader::Status::NeedMore);
    if (header.usesAddresses()) {
        FUZZ_CHECK(header.command == ProxyHeader::Command::Proxy);
        const auto protocol = header.family == ProxyHeader::Family::TcpIPv4
                                  ? QAbstractSocket::IPv4Protocol
                                  : QAbstractSocket::IPv6Protocol;
        FUZZ_CHECK(header.source.protocol() == protocol);
        FUZZ_CHECK(header.destination.protocol() == protocol);
    } else {
        FUZZ_CHECK(header.source.isNull() && header.sourcePort == 0);
    }
    return 0;
}

// SPDX-License-Identifier: MIT
// The PROXY v2 header parser (server/proxyheader.*): whole headers of each kind, every
// truncation of them, and what rules a header out, as early as the bytes that have arrived allow.
#include "proxyheader.h"

#include <QtEndian>
#include <QTest>

using chatter::server::ProxyHeader;

namespace {

const QByteArray Signature(ProxyHeader::Signature, ProxyHeader::SignatureSize);

QByteArray be16(int value)
{
    QByteArray bytes(2, '\0');
    qToBigEndian<quint16>(quint16(value), bytes.data());
    return bytes;
}

//! A header: signature, version/command, family/protocol, `length` (default: the body's), body.
QByteArray header(quint8 versionCommand, quint8 family, const QByteArray &body, int length = -1)
{
    return Signature + char(versionCommand) + char(family) +
           be16(length < 0 ? int(body.size()) : length) + body;
}

QByteArray ipv4Block(const QHostAddress &source, int sourcePort, const QHostAddress &destination,
                     int destinationPort)
{
    QByteArray block(8, '\0');
    qToBigEndian<quint32>(source.toIPv4Address(), block.data());
    qToBigEndian<quint32>(destination.toIPv4Address(), block.data() + 4);
    return block + be16(sourcePort) + be16(destinationPort);
}

QByteArray ipv6Block(const QHostAddress &source, int sourcePort, const QHostAddress &destination,
                     int destinationPort)
{
    const Q_IPV6ADDR from = source.toIPv6Address();
    const Q_IPV6ADDR to = destination.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(from.c), 16) +
           QByteArray(reinterpret_cast<const char *>(to.c), 16) + be16(sourcePort) +
           be16(destinationPort);
}

//! A TLV: type, 16-bit length, value.
QByteArray tlv(quint8 type, const QByteArray &value)
{
    return char(type) + be16(int(value.size())) + value;
}

// 192.0.2.0/24 and 2001:db8::/32 are documentation ranges: they only ever appear in the bytes.
const QHostAddress ClientV4(QStringLiteral("192.0.2.7"));
const QHostAddress NodeV4(QStringLiteral("127.0.0.1"));
const QHostAddress ClientV6(QStringLiteral("2001:db8::7"));
const QHostAddress NodeV6(QStringLiteral("::1"));

const QByteArray ProxyV4 = header(0x21, 0x11, ipv4Block(ClientV4, 51234, NodeV4, 4001));
const QByteArray ProxyV6 = header(0x21, 0x21, ipv6Block(ClientV6, 443, NodeV6, 4001));
const QByteArray ProxyV4Tlvs = header(0x21, 0x11,
                                      ipv4Block(ClientV4, 51234, NodeV4, 4001) +
                                          tlv(0x01, "http/1.1") + tlv(0x03, QByteArray(4, '\x5a')) +
                                          tlv(0x04, QByteArray(20, '\0'))); // ALPN, CRC, NOOP
const QByteArray LocalUnspec = header(0x20, 0x00, {});

} // namespace

class tst_ProxyHeader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
};

void tst_ProxyHeader::parse_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ProxyHeader::Status>("status");
    QTest::addColumn<ProxyHeader::Command>("command");
    QTest::addColumn<ProxyHeader::Family>("family");
    QTest::addColumn<QString>("source"); //!< "" when no address is used
    QTest::addColumn<int>("sourcePort");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<int>("destinationPort");
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("reason"); //!< part of the Invalid reason

    using S = ProxyHeader::Status;
    using C = ProxyHeader::Command;
    using F = ProxyHeader::Family;
    const auto parsed = [](const char *name, const QByteArray &bytes, C command, F family,
                           const QString &source, int sourcePort, const QString &destination,
                           int destinationPort, int size) {
        QTest::newRow(name) << bytes << S::Parsed << command << family << source << sourcePort
                            << destination << destinationPort << size << QString();
    };
    const auto invalid = [](const QByteArray &name, const QByteArray &bytes, const char *reason) {
        QTest::newRow(name.constData())
            << bytes << S::Invalid << C::Local << F::Unspecified << QString() << 0 << QString() << 0
            << 0 << QString::fromLatin1(reason);
    };
    const auto needMore = [](const QByteArray &name, const QByteArray &bytes) {
        QTest::newRow(name.constData()) << bytes << S::NeedMore << C::Local << F::Unspecified
                                        << QString() << 0 << QString() << 0 << 0 << QString();
    };

    // Whole headers.
    parsed("tcp4", ProxyV4, C::Proxy, F::TcpIPv4, "192.0.2.7", 51234, "127.0.0.1", 4001, 28);
    parsed("tcp6", ProxyV6, C::Proxy, F::TcpIPv6, "2001:db8::7", 443, "::1", 4001, 52);
    parsed("tcp4 with TLVs", ProxyV4Tlvs, C::Proxy, F::TcpIPv4, "192.0.2.7", 51234, "127.0.0.1",
           4001, int(ProxyV4Tlvs.size()));
    parsed("tcp4, a request behind it", ProxyV4 + "GET / HTTP/1.1\r\n\r\n", C::Proxy, F::TcpIPv4,
           "192.0.2.7", 51234, "127.0.0.1", 4001, 28);
    parsed("tcp4, a TLS record behind it", ProxyV4 + "\x16\x03\x01", C::Proxy, F::TcpIPv4,
           "192.0.2.7", 51234, "127.0.0.1", 4001, 28);
    parsed("local unspec (a health check)", LocalUnspec, C::Local, F::Unspecified, "", 0, "", 0,
           16);
    parsed("local with tcp4 addresses, which it ignores",
           header(0x20, 0x11, ipv4Block(ClientV4, 1, NodeV4, 2)), C::Local, F::Unspecified, "", 0,
           "", 0, 28);
    parsed("local, family unspec, TLVs only", header(0x20, 0x00, tlv(0x04, "xx")), C::Local,
           F::Unspecified, "", 0, "", 0, 21);
    parsed("proxy unspec: read as local", header(0x21, 0x00, {}), C::Proxy, F::Unspecified, "", 0,
           "", 0, 16);
    parsed("proxy udp4: read as local", header(0x21, 0x12, ipv4Block(ClientV4, 1, NodeV4, 2)),
           C::Proxy, F::Unspecified, "", 0, "", 0, 28);
    parsed("proxy udp6: read as local", header(0x21, 0x22, ipv6Block(ClientV6, 1, NodeV6, 2)),
           C::Proxy, F::Unspecified, "", 0, "", 0, 52);
    parsed("proxy unix stream: read as local", header(0x21, 0x31, QByteArray(216, '\0')), C::Proxy,
           F::Unspecified, "", 0, "", 0, 232);
    parsed(
        "length 512, the most",
        header(0x21, 0x11, ipv4Block(ClientV4, 9, NodeV4, 4001) + tlv(0x04, QByteArray(497, '\0'))),
        C::Proxy, F::TcpIPv4, "192.0.2.7", 9, "127.0.0.1", 4001, 528);
    parsed("ports 0 and 65535", header(0x21, 0x11, ipv4Block(ClientV4, 0, NodeV4, 65535)), C::Proxy,
           F::TcpIPv4, "192.0.2.7", 0, "127.0.0.1", 65535, 28);

    // Every truncation waits for more: nothing that has arrived rules the header out.
    for (const auto &[name, whole] :
         {std::pair{"tcp4", ProxyV4}, std::pair{"tcp6", ProxyV6},
          std::pair{"tcp4 with TLVs", ProxyV4Tlvs}, std::pair{"local", LocalUnspec}}) {
        for (qsizetype cut = 0; cut < whole.size(); ++cut)
            needMore(QByteArray(name) + " cut at " + QByteArray::number(cut), whole.left(cut));
    }

    // No signature: ruled out by the first byte that differs, whatever follows.
    for (int at = 0; at < ProxyHeader::SignatureSize; ++at) {
        QByteArray bytes = ProxyV4;
        bytes[at] = char(bytes[at] ^ 0x20);
        invalid("signature byte " + QByteArray::number(at) + " wrong", bytes, "signature");
        invalid("signature byte " + QByteArray::number(at) + " wrong, nothing after",
                bytes.left(at + 1), "signature");
    }
    invalid("HTTP request", "GET /socket/websocket HTTP/1.1\r\n", "signature");
    invalid("one byte of HTTP", "G", "signature");
    invalid("TLS ClientHello", "\x16\x03\x01\x02\x00\x01", "signature");
    invalid("PROXY v1", "PROXY TCP4 192.0.2.7 127.0.0.1 51234 4001\r\n", "signature");
    invalid("blank lines, then HTTP", "\r\n\r\nGET / HTTP/1.1\r\n", "signature");

    // Version and command.
    invalid("version 1", header(0x11, 0x11, ipv4Block(ClientV4, 1, NodeV4, 2)), "version 1");
    invalid("version 3", header(0x31, 0x11, ipv4Block(ClientV4, 1, NodeV4, 2)), "version 3");
    invalid("version 0, nothing after", Signature + '\x01', "version 0");
    invalid("command 2", header(0x22, 0x11, ipv4Block(ClientV4, 1, NodeV4, 2)), "command 2");
    invalid("command 15, nothing after", Signature + '\x2f', "command 15");

    // Length.
    invalid("length 513", header(0x21, 0x11, {}, 513).left(16), "513 bytes");
    invalid("length 65535", header(0x21, 0x11, {}, 65535), "65535 bytes");
    invalid("tcp4 shorter than its addresses", header(0x21, 0x11, QByteArray(11, '\0')),
            "too short");
    invalid("tcp6 shorter than its addresses", header(0x21, 0x21, QByteArray(35, '\0')),
            "too short");
    invalid("tcp6 with a tcp4 block", header(0x21, 0x21, ipv4Block(ClientV4, 1, NodeV4, 2)),
            "too short");
    needMore("length 512, body not there yet", header(0x21, 0x11, {}, 512));
}

void tst_ProxyHeader::parse()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ProxyHeader::Status, status);
    QFETCH(ProxyHeader::Command, command);
    QFETCH(ProxyHeader::Family, family);
    QFETCH(QString, source);
    QFETCH(int, sourcePort);
    QFETCH(QString, destination);
    QFETCH(int, destinationPort);
    QFETCH(int, size);
    QFETCH(QString, reason);

    const ProxyHeader header = ProxyHeader::parse(bytes);
    QCOMPARE(header.status, status);
    if (status == ProxyHeader::Status::Invalid) {
        QVERIFY2(header.reason.contains(reason), qPrintable(header.reason));
        return;
    }
    if (status == ProxyHeader::Status::NeedMore)
        return;
    QCOMPARE(header.command, command);
    QCOMPARE(header.family, family);
    QCOMPARE(header.usesAddresses(), !source.isEmpty());
    QCOMPARE(header.source, source.isEmpty() ? QHostAddress() : QHostAddress(source));
    QCOMPARE(int(header.sourcePort), sourcePort);
    QCOMPARE(header.destination,
             destination.isEmpty() ? QHostAddress() : QHostAddress(destination));
    QCOMPARE(int(header.destinationPort), destinationPort);
    QCOMPARE(int(header.size), size);
    QCOMPARE(ProxyHeader::startsWithSignature(bytes), true);
}

QTEST_GUILESS_MAIN(tst_ProxyHeader)
#include "tst_proxyheader.moc"

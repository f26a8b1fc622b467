// SPDX-License-Identifier: MIT
#include "qrcode.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace chatter::server {

Expected<QrCode> QrCode::encode(const QString &text)
{
    if (text.isEmpty())
        return failure(QStringLiteral("nothing to encode"));
    const QByteArray bytes = text.toUtf8();
    // Version 0: the smallest symbol that holds the text. 8-bit mode, case kept: a URL's path
    // is case-sensitive.
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString(bytes.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!code) {
        return failure(QStringLiteral("cannot encode %1 bytes as a QR code: %2")
                           .arg(bytes.size())
                           .arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    const int size = code->width;
    std::vector<bool> dark(std::size_t(size) * std::size_t(size));
    // libqrencode's lowest bit of each byte is the module's colour; the others say which part
    // of the symbol it belongs to.
    for (std::size_t i = 0; i < dark.size(); ++i)
        dark[i] = (code->data[i] & 1) != 0;
    return QrCode(size, std::move(dark));
}

QByteArray QrCode::toSvg() const
{
    const int side = m_size + 2 * quietZone;
    QByteArray svg;
    svg.reserve(64 * m_size + 256);
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + QByteArray::number(side) +
           ' ' + QByteArray::number(side) + "\" shape-rendering=\"crispEdges\">";
    svg += "<rect width=\"" + QByteArray::number(side) + "\" height=\"" + QByteArray::number(side) +
           "\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
    // Runs of dark modules in a row become one rectangle each, which keeps the path short.
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size;) {
            if (!isDark(x, y)) {
                ++x;
                continue;
            }
            int run = 1;
            while (x + run < m_size && isDark(x + run, y))
                ++run;
            svg += 'M' + QByteArray::number(x + quietZone) + ' ' +
                   QByteArray::number(y + quietZone) + 'h' + QByteArray::number(run) + "v1h-" +
                   QByteArray::number(run) + 'z';
            x += run;
        }
    }
    svg += "\"/></svg>\n";
    return svg;
}

} // namespace chatter::server

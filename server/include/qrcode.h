// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace chatter::server {

//! A QR code made with libqrencode: a square of dark and light modules. One implementation for
//! both who show it: the monitor paints the modules (ui/monitor/qrcodeview), the browser client
//! loads them as SVG from the server (`GET /invite.svg`, InviteQr). QtCore only, so the engine
//! can serve it without Widgets.
class QrCode
{
public:
    //! Light modules a reader needs around the code (ISO/IEC 18004 asks for four).
    static constexpr int quietZone = 4;

    //! `text` as UTF-8 bytes, error correction level M (15 % may be lost to glare or a crease).
    //! Fails for text longer than the largest code holds, or empty text.
    static Expected<QrCode> encode(const QString &text);

    //! Modules per side, without the quiet zone.
    int size() const { return m_size; }
    //! Whether module (`x`, `y`) is dark; 0 <= x, y < size().
    bool isDark(int x, int y) const { return m_dark[std::size_t(y * m_size + x)]; }
    //! The code with its quiet zone as SVG: black modules on white whatever the page's colours,
    //! one path of whole-module rows, `crispEdges` so scaling never blurs a module's edge.
    QByteArray toSvg() const;

private:
    QrCode(int size, std::vector<bool> dark) : m_size(size), m_dark(std::move(dark)) {}

    int m_size = 0;
    std::vector<bool> m_dark;
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#include "qrcodeview.h"

#include <QPainter>

namespace chatter::monitor {

namespace {
// Phones read a code of three pixels per module from an arm's length off a laptop screen; the
// header stays as tall as its text beside it.
constexpr int preferredScale = 3;
constexpr int smallestScale = 2;
} // namespace

QrCodeView::QrCodeView(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void QrCodeView::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_code.reset();
    if (auto code = server::QrCode::encode(text))
        m_code = std::move(*code);
    setToolTip(text.isEmpty() ? QString() : tr("Scan to open %1").arg(text));
    setAccessibleName(tr("QR code of %1").arg(text));
    updateGeometry();
    update();
}

int QrCodeView::sideModules() const
{
    return m_code ? m_code->size() + 2 * server::QrCode::quietZone : 0;
}

QSize QrCodeView::devicePixels() const
{
    const qreal ratio = devicePixelRatioF();
    return {qRound(width() * ratio), qRound(height() * ratio)};
}

int QrCodeView::moduleScale() const
{
    const int side = sideModules();
    const QSize pixels = devicePixels();
    return side > 0 ? std::max(1, std::min(pixels.width(), pixels.height()) / side) : 1;
}

QSize QrCodeView::sizeHint() const
{
    const int side = sideModules() * preferredScale;
    return {side, side};
}

QSize QrCodeView::minimumSizeHint() const
{
    const int side = sideModules() * smallestScale;
    return {side, side};
}

void QrCodeView::paintEvent(QPaintEvent *)
{
    if (!m_code)
        return;
    const int scale = moduleScale();
    const int side = sideModules() * scale;
    // In device pixels and centred on whole ones, so that no module straddles a pixel boundary
    // on a screen scaled by 125 % or 150 % either.
    const QSize pixels = devicePixels();
    const int left = (pixels.width() - side) / 2;
    const int top = (pixels.height() - side) / 2;
    QPainter painter(this);
    painter.scale(1.0 / devicePixelRatioF(), 1.0 / devicePixelRatioF());
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.fillRect(left, top, side, side, Qt::white);
    const int offset = server::QrCode::quietZone * scale;
    for (int y = 0; y < m_code->size(); ++y) {
        for (int x = 0; x < m_code->size(); ++x) {
            if (m_code->isDark(x, y))
                painter.fillRect(left + offset + x * scale, top + offset + y * scale, scale, scale,
                                 Qt::black);
        }
    }
}

} // namespace chatter::monitor

// SPDX-License-Identifier: MIT
#include "sparkline.h"

#include "monitorpalette.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace chatter::monitor {

Sparkline::Sparkline(const QString &caption, Tone tone, QWidget *parent)
    : QWidget(parent), m_caption(caption), m_tone(tone)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void Sparkline::setCapacity(int samples)
{
    m_capacity = std::max(2, samples);
    while (int(m_samples.size()) > m_capacity)
        m_samples.pop_front();
    update();
}

void Sparkline::addSample(double value)
{
    m_samples.push_back(value);
    if (int(m_samples.size()) > m_capacity)
        m_samples.pop_front();
    update();
}

void Sparkline::setValueText(const QString &text)
{
    m_valueText = text;
    update();
}

QSize Sparkline::sizeHint() const
{
    return {240, fontMetrics().height() * 4};
}

QSize Sparkline::minimumSizeHint() const
{
    return {120, fontMetrics().height() * 4};
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const QColor line = m_tone == Tone::Primary ? MonitorPalette::accent(pal)
                                                : MonitorPalette::secondaryAccent(pal);

    const QRectF frame = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    painter.setPen(QPen(pal.color(QPalette::Mid), 1));
    painter.setBrush(pal.color(QPalette::Base));
    painter.drawRoundedRect(frame, 4, 4);

    const int margin = 6;
    const int textHeight = fontMetrics().height();
    const QRect textRect = rect().adjusted(margin, margin / 2, -margin, 0);
    painter.setPen(pal.color(QPalette::PlaceholderText));
    painter.drawText(textRect, Qt::AlignLeft | Qt::AlignTop, m_caption);
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(textRect, Qt::AlignRight | Qt::AlignTop, m_valueText);

    const QRectF plot =
        QRectF(rect()).adjusted(margin, margin / 2 + textHeight + 2, -margin, -margin);
    if (m_samples.size() < 2 || plot.height() < 4)
        return;
    // Scale to the visible maximum, so a quiet server still shows its shape; an all-zero series
    // stays a flat line at the bottom.
    const double peak = std::max(1.0, *std::max_element(m_samples.begin(), m_samples.end()));
    const double step = plot.width() / double(m_capacity - 1);
    const double startX = plot.right() - step * double(m_samples.size() - 1);
    QPainterPath path;
    for (size_t i = 0; i < m_samples.size(); ++i) {
        const QPointF p(startX + step * double(i),
                        plot.bottom() - plot.height() * m_samples[i] / peak);
        if (i == 0)
            path.moveTo(p);
        else
            path.lineTo(p);
    }
    QPainterPath area = path;
    area.lineTo(plot.right(), plot.bottom());
    area.lineTo(startX, plot.bottom());
    area.closeSubpath();
    painter.setPen(Qt::NoPen);
    painter.setBrush(MonitorPalette::translucent(line, MonitorPalette::isDark(pal) ? 0.28 : 0.18));
    painter.drawPath(area);
    painter.setPen(QPen(line, 1.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
}

} // namespace chatter::monitor

// SPDX-License-Identifier: MIT
#include "appicon.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace chatter::ui {

QIcon appIcon()
{
    QIcon icon;
    for (int size : {16, 22, 32, 48, 64, 128}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal s = size / 64.0;
        QPainterPath bubble;
        bubble.addRoundedRect(QRectF(4 * s, 6 * s, 56 * s, 40 * s), 12 * s, 12 * s);
        QPainterPath tail;
        tail.moveTo(16 * s, 44 * s);
        tail.lineTo(12 * s, 60 * s);
        tail.lineTo(30 * s, 45 * s);
        tail.closeSubpath();
        p.fillPath(bubble.united(tail), QColor(33, 118, 210));
        p.setBrush(Qt::white);
        p.setPen(Qt::NoPen);
        for (int i = 0; i < 3; ++i)
            p.drawEllipse(QPointF((20 + 12 * i) * s, 26 * s), 4.5 * s, 4.5 * s);
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace chatter::ui

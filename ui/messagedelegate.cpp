// SPDX-License-Identifier: MIT
#include "messagedelegate.h"

#include "messageformatter.h"
#include "messagemodel.h"

#include <QAbstractTextDocumentLayout>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QTextDocument>

namespace chatter::ui {

namespace {

constexpr int HMargin = 8;
constexpr int VMargin = 3;

client::ChatMessage messageAt(const QModelIndex &index)
{
    client::ChatMessage m;
    m.kind = client::ChatMessage::Kind(index.data(client::MessageModel::KindRole).toInt());
    m.id = index.data(client::MessageModel::IdRole).toLongLong();
    m.user = index.data(client::MessageModel::UserRole).toString();
    m.body = index.data(client::MessageModel::BodyRole).toString();
    m.at = index.data(client::MessageModel::AtRole).toDateTime();
    m.own = index.data(client::MessageModel::OwnRole).toBool();
    m.mention = index.data(client::MessageModel::MentionRole).toBool();
    m.pending = index.data(client::MessageModel::PendingRole).toBool();
    return m;
}

QString dayText(const QDate &day)
{
    const QDate today = QDate::currentDate();
    if (day == today)
        return MessageDelegate::tr("Today");
    if (day == today.addDays(-1))
        return MessageDelegate::tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

} // namespace

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

int MessageDelegate::hangingIndent(const QFont &font, const QString &nickname, int available)
{
    QFont bold = font;
    bold.setBold(true);
    const QString gap = QStringLiteral("\u00a0\u00a0");
    const int width = QFontMetrics(font).horizontalAdvance(QStringLiteral("00:00") + gap) +
                      QFontMetrics(bold).horizontalAdvance(nickname + gap);
    // A very long nickname must not squeeze the body into a sliver.
    return qMin(width, available * 2 / 5);
}

void MessageDelegate::layout(QTextDocument &doc, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    const client::ChatMessage message = messageAt(index);
    const int width = qMax(50, option.rect.width() - 2 * HMargin);
    const int indent = message.isSystem()
                           ? QFontMetrics(option.font).horizontalAdvance(QStringLiteral("00:00  "))
                           : hangingIndent(option.font, message.user, width);
    doc.setDefaultFont(option.font);
    doc.setDocumentMargin(0);
    doc.setHtml(MessageFormatter::lineHtml(message, m_nickname, option.palette, indent));
    doc.setTextWidth(width);
}

int MessageDelegate::dayHeaderHeight(const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const
{
    if (!index.data(client::MessageModel::DayStartRole).toBool())
        return 0;
    return QFontMetrics(option.font).height() + 2 * VMargin + 6;
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    painter->save();
    const QPalette &palette = option.palette;
    const bool dark = MessageFormatter::isDark(palette);
    const QColor base = palette.color(QPalette::Base);
    const int header = dayHeaderHeight(option, index);
    if (header > 0) {
        const QRect band(option.rect.left(), option.rect.top(), option.rect.width(), header);
        painter->setPen(MessageFormatter::dimColor(palette));
        const QString text =
            dayText(index.data(client::MessageModel::AtRole).toDateTime().toLocalTime().date());
        const int textWidth = option.fontMetrics.horizontalAdvance(text) + 16;
        const int y = band.center().y();
        painter->drawLine(band.left() + HMargin, y, band.center().x() - textWidth / 2, y);
        painter->drawLine(band.center().x() + textWidth / 2, y, band.right() - HMargin, y);
        painter->drawText(band, Qt::AlignCenter, text);
    }
    const QRect line = option.rect.adjusted(0, header, 0, 0);
    QColor background;
    if (option.state & QStyle::State_Selected)
        background = MessageFormatter::blend(base, palette.color(QPalette::Highlight), 0.28f);
    else if (index.data(client::MessageModel::MentionRole).toBool())
        background = MessageFormatter::blend(base, QColor(255, 193, 7), dark ? 0.22f : 0.25f);
    else if (index.data(client::MessageModel::OwnRole).toBool())
        background = MessageFormatter::blend(base, palette.color(QPalette::Highlight), 0.10f);
    if (background.isValid())
        painter->fillRect(line, background);
    if (index.data(client::MessageModel::OwnRole).toBool())
        painter->fillRect(QRect(line.left(), line.top(), 3, line.height()),
                          palette.color(QPalette::Highlight));
    QTextDocument doc;
    layout(doc, option, index);
    painter->translate(line.left() + HMargin, line.top() + VMargin);
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = palette;
    if (index.data(client::MessageModel::PendingRole).toBool())
        context.palette.setColor(QPalette::Text, MessageFormatter::dimColor(palette));
    doc.documentLayout()->draw(painter, context);
    painter->restore();
    if (option.state & QStyle::State_HasFocus) {
        // Solid, two pixels: a dotted hairline is easy to miss when the keyboard moves here.
        painter->save();
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->drawRect(line.adjusted(1, 1, -1, -1));
        painter->restore();
    }
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QTextDocument doc;
    layout(doc, option, index);
    return QSize(option.rect.width(),
                 dayHeaderHeight(option, index) + int(doc.size().height()) + 2 * VMargin);
}

bool MessageDelegate::editorEvent(QEvent *event, QAbstractItemModel *model,
                                  const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() != QEvent::MouseButtonRelease && event->type() != QEvent::MouseMove)
        return QStyledItemDelegate::editorEvent(event, model, option, index);
    auto *mouse = static_cast<QMouseEvent *>(event);
    QTextDocument doc;
    layout(doc, option, index);
    const QPointF pos =
        mouse->position() - QPointF(option.rect.left() + HMargin,
                                    option.rect.top() + dayHeaderHeight(option, index) + VMargin);
    const QString anchor = doc.documentLayout()->anchorAt(pos);
    if (auto *widget = const_cast<QWidget *>(option.widget))
        widget->setCursor(anchor.isEmpty() ? Qt::ArrowCursor : Qt::PointingHandCursor);
    if (event->type() == QEvent::MouseButtonRelease && mouse->button() == Qt::LeftButton &&
        !anchor.isEmpty()) {
        Q_EMIT linkActivated(anchor);
        return true;
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace chatter::ui

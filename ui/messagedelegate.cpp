// SPDX-License-Identifier: MIT
#include "messagedelegate.h"

#include "messageformatter.h"
#include "messagemodel.h"

#include <QAbstractTextDocumentLayout>
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
    return m;
}

} // namespace

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

void MessageDelegate::layout(QTextDocument &doc, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    doc.setDefaultFont(option.font);
    doc.setDocumentMargin(0);
    doc.setHtml(MessageFormatter::lineHtml(messageAt(index), m_nickname));
    doc.setTextWidth(qMax(50, option.rect.width() - 2 * HMargin));
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    painter->save();
    QColor background;
    if (option.state & QStyle::State_Selected)
        background = option.palette.highlight().color().lighter(170);
    else if (index.data(client::MessageModel::MentionRole).toBool())
        background = QColor(255, 243, 205);
    else if (index.data(client::MessageModel::OwnRole).toBool())
        background = QColor(232, 241, 252);
    if (background.isValid())
        painter->fillRect(option.rect, background);
    if (index.data(client::MessageModel::OwnRole).toBool())
        painter->fillRect(QRect(option.rect.left(), option.rect.top(), 3, option.rect.height()),
                          QColor(66, 133, 244));
    QTextDocument doc;
    layout(doc, option, index);
    painter->translate(option.rect.left() + HMargin, option.rect.top() + VMargin);
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = option.palette;
    context.palette.setColor(QPalette::Text, QColor(32, 32, 32));
    doc.documentLayout()->draw(painter, context);
    painter->restore();
    if (option.state & QStyle::State_HasFocus) {
        painter->save();
        painter->setPen(QPen(option.palette.highlight().color(), 1, Qt::DotLine));
        painter->drawRect(option.rect.adjusted(0, 0, -1, -1));
        painter->restore();
    }
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QTextDocument doc;
    layout(doc, option, index);
    return QSize(option.rect.width(), int(doc.size().height()) + 2 * VMargin);
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
        mouse->position() - QPointF(option.rect.left() + HMargin, option.rect.top() + VMargin);
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

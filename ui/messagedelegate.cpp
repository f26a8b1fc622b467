// SPDX-License-Identifier: MIT
#include "messagedelegate.h"

#include "messageformatter.h"
#include "messagemarkup.h"
#include "messagemodel.h"
#include "thumbnailcache.h"

#include <QAbstractItemView>
#include <QAbstractTextDocumentLayout>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QStyle>
#include <QTextDocument>
#include <QToolTip>

#include <cmath>

namespace chatter::ui {

namespace {

constexpr int HMargin = 16;   // the browser's .msg padding, a little narrower
constexpr int AvatarGap = 12; // between avatar and text, as .msg's column-gap
constexpr int GroupTop = 10;  // above a message with a header (margin + padding in app.css)
constexpr int LineTop = 1;    // above a line that continues its group
constexpr int Bottom = 4;
constexpr int ChipGap = 6;
constexpr int AttachmentGap = 6;
constexpr int CardWidth = 300;
constexpr QSize MaxImage(320, 240);

using client::MessageModel;

client::ChatMessage messageAt(const QModelIndex &index)
{
    client::ChatMessage m;
    m.kind = client::ChatMessage::Kind(index.data(MessageModel::KindRole).toInt());
    m.id = index.data(MessageModel::IdRole).toLongLong();
    m.user = index.data(MessageModel::UserRole).toString();
    m.body = index.data(MessageModel::BodyRole).toString();
    m.at = index.data(MessageModel::AtRole).toDateTime();
    m.own = index.data(MessageModel::OwnRole).toBool();
    m.mention = index.data(MessageModel::MentionRole).toBool();
    m.pending = index.data(MessageModel::PendingRole).toBool();
    m.editedAt = index.data(MessageModel::EditedAtRole).toDateTime();
    m.deleted = index.data(MessageModel::DeletedRole).toBool();
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

QFont boldFont(QFont font)
{
    font.setBold(true);
    return font;
}

QFont smallFont(QFont font)
{
    font.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() * 0.85 : 8);
    return font;
}

//! A one-line row: a join or leave, or a deleted message.
bool isCompact(const QModelIndex &index)
{
    return index.data(MessageModel::SystemRole).toBool() ||
           index.data(MessageModel::DeletedRole).toBool();
}

bool hasHeader(const QModelIndex &index)
{
    return !isCompact(index) && !index.data(MessageModel::GroupedRole).toBool();
}

QString timeText(const QModelIndex &index)
{
    return index.data(MessageModel::AtRole)
        .toDateTime()
        .toLocalTime()
        .toString(QStringLiteral("HH:mm"));
}

//! The row's background: selection, then a mention of me, then my own message.
QColor rowBackground(const QStyleOptionViewItem &option, const QModelIndex &index)
{
    const QPalette &palette = option.palette;
    const QColor base = palette.color(QPalette::Base);
    const bool dark = MessageFormatter::isDark(palette);
    if (option.state & QStyle::State_Selected)
        return MessageFormatter::blend(base, palette.color(QPalette::Highlight), 0.28f);
    if (index.data(MessageModel::MentionRole).toBool())
        return MessageFormatter::blend(base, QColor(255, 193, 7), dark ? 0.14f : 0.16f);
    if (index.data(MessageModel::OwnRole).toBool())
        return MessageFormatter::blend(base, palette.color(QPalette::Highlight),
                                       dark ? 0.08f : 0.06f);
    if (option.state & QStyle::State_MouseOver)
        return MessageFormatter::blend(base, palette.color(QPalette::Text), 0.035f);
    return {};
}

void paintSeparator(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index,
                    const QRect &band)
{
    // A rule with the day in a pill over its middle (the browser's "new" divider's shape).
    const QColor base = option.palette.color(QPalette::Base);
    const QFont font = boldFont(smallFont(option.font));
    const QFontMetrics metrics(font);
    const QString day = dayText(index.data(MessageModel::AtRole).toDateTime().toLocalTime().date());
    const int y = band.center().y();
    painter->setPen(MessageFormatter::blend(base, option.palette.color(QPalette::Text), 0.18f));
    painter->drawLine(band.left() + HMargin, y, band.right() - HMargin, y);
    const int width = metrics.horizontalAdvance(day) + 24;
    const QRect pill(band.center().x() - width / 2, y - metrics.height() / 2 - 3, width,
                     metrics.height() + 6);
    painter->setBrush(base);
    painter->drawRoundedRect(pill, pill.height() / 2.0, pill.height() / 2.0);
    painter->setFont(font);
    painter->setPen(MessageFormatter::dimColor(option.palette));
    painter->drawText(pill, Qt::AlignCenter, day);
}

void paintAvatar(QPainter *painter, const QStyleOptionViewItem &option, const QString &user,
                 const QRect &circle)
{
    painter->setPen(Qt::NoPen);
    painter->setBrush(MessageFormatter::avatarColor(user));
    painter->drawEllipse(circle);
    QFont font = boldFont(option.font);
    font.setPixelSize(qMax(8, circle.height() * 2 / 5));
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(circle, Qt::AlignCenter, MessageFormatter::initials(user));
}

//! Nickname in its colour, "you" on my own messages, the time.
void paintHeader(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index,
                 const QRect &header, const QColor &under)
{
    const QPalette &palette = option.palette;
    const QString user = index.data(MessageModel::UserRole).toString();
    const QFont nickFont = boldFont(option.font);
    const QFontMetrics nickMetrics(nickFont);
    painter->setFont(nickFont);
    painter->setPen(MessageFormatter::nickColor(user, under));
    const QString nick = nickMetrics.elidedText(user, Qt::ElideRight, header.width() * 2 / 3);
    painter->drawText(header, Qt::AlignLeft | Qt::AlignVCenter, nick);
    int x = header.left() + nickMetrics.horizontalAdvance(nick) + 8;
    const QFont small = smallFont(option.font);
    if (index.data(MessageModel::OwnRole).toBool()) {
        QFont badgeFont = boldFont(small);
        badgeFont.setCapitalization(QFont::AllUppercase);
        const QFontMetrics badgeMetrics(badgeFont);
        const QString you = MessageDelegate::tr("you");
        const QRect badge(x, header.center().y() - badgeMetrics.height() / 2,
                          badgeMetrics.horizontalAdvance(you.toUpper()) + 10,
                          badgeMetrics.height());
        painter->setPen(Qt::NoPen);
        painter->setBrush(
            MessageFormatter::blend(under, palette.color(QPalette::Highlight), 0.16f));
        painter->drawRoundedRect(badge, 4, 4);
        painter->setFont(badgeFont);
        painter->setPen(MessageFormatter::accentInk(palette));
        painter->drawText(badge, Qt::AlignCenter, you);
        x = badge.right() + 1 + 8;
    }
    painter->setFont(small);
    painter->setPen(MessageFormatter::dimColor(palette));
    painter->drawText(QRect(x, header.top(), header.right() - x, header.height()),
                      Qt::AlignLeft | Qt::AlignVCenter, timeText(index));
}

//! The quoted author in their colour and the parent's first line, on a tinted box with a bar.
void paintQuote(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index,
                const QRect &box, const QColor &under)
{
    const QColor text = option.palette.color(QPalette::Text);
    const QString quoteUser = index.data(MessageModel::QuoteUserRole).toString();
    const bool quoteDeleted = index.data(MessageModel::QuoteDeletedRole).toBool();
    painter->setPen(Qt::NoPen);
    painter->setBrush(MessageFormatter::blend(under, text, 0.06f));
    painter->drawRoundedRect(box, 6, 6);
    painter->fillRect(QRect(box.left(), box.top() + 2, 3, box.height() - 4),
                      MessageFormatter::nickColor(quoteUser, under));
    const QRect inner = box.adjusted(10, 0, -8, 0);
    const QFont nickFont = boldFont(option.font);
    painter->setFont(nickFont);
    painter->setPen(MessageFormatter::nickColor(quoteUser, under));
    const QFontMetrics nickMetrics(nickFont);
    const QString who = nickMetrics.elidedText(quoteUser, Qt::ElideRight, inner.width() / 2);
    painter->drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, who);
    const QRect rest = inner.adjusted(nickMetrics.horizontalAdvance(who) + 8, 0, 0, 0);
    QFont font = option.font;
    font.setItalic(quoteDeleted);
    painter->setFont(font);
    painter->setPen(quoteDeleted ? MessageFormatter::dimColor(option.palette)
                                 : MessageFormatter::blend(under, text, 0.8f));
    painter->drawText(rest, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(font).elidedText(MessageDelegate::quoteText(index),
                                                    Qt::ElideRight, rest.width()));
}

//! Pill-shaped chips, mine in the highlight's tint with a highlight border.
void paintReactions(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index,
                    const QList<std::pair<QString, QRect>> &chips, const QColor &under)
{
    const QPalette &palette = option.palette;
    const QColor text = palette.color(QPalette::Text);
    const QColor highlight = palette.color(QPalette::Highlight);
    const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
    painter->setFont(option.font);
    for (int i = 0; i < chips.size() && i < reactions.size(); ++i) {
        const QVariantMap reaction = reactions.at(i).toMap();
        const bool mine = reaction.value(QStringLiteral("mine")).toBool();
        const QRectF chip = QRectF(chips.at(i).second).adjusted(0.5, 0.5, -0.5, -0.5);
        painter->setPen(QPen(mine ? highlight : MessageFormatter::blend(under, text, 0.2f), 1));
        painter->setBrush(mine ? MessageFormatter::blend(under, highlight, 0.22f)
                               : MessageFormatter::blend(under, text, 0.05f));
        painter->drawRoundedRect(chip, chip.height() / 2, chip.height() / 2);
        painter->setPen(mine ? MessageFormatter::accentInk(palette) : text);
        painter->drawText(chips.at(i).second, Qt::AlignCenter, MessageDelegate::chipText(reaction));
    }
}

QList<client::Attachment> attachmentsOf(const QModelIndex &index)
{
    return index.data(MessageModel::AttachmentsRole).value<QList<client::Attachment>>();
}

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

//! A file: a page glyph, its name and size, and a Save button.
void paintCard(QPainter *painter, const QStyleOptionViewItem &option,
               const client::Attachment &attachment, const QRect &card, const QRect &save,
               const QColor &under)
{
    const QPalette &palette = option.palette;
    const QColor text = palette.color(QPalette::Text);
    painter->setPen(QPen(MessageFormatter::blend(under, text, 0.18f), 1));
    painter->setBrush(MessageFormatter::blend(under, text, 0.04f));
    painter->drawRoundedRect(QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8);
    const int glyphSize = card.height() - 20;
    const QRect glyph(card.left() + 10, card.top() + 10, glyphSize * 4 / 5, glyphSize);
    const QStyle *style = option.widget ? option.widget->style() : nullptr;
    if (style)
        style->standardIcon(QStyle::SP_FileIcon, nullptr, option.widget).paint(painter, glyph);
    const QRect words(glyph.right() + 10, card.top() + 6, save.left() - glyph.right() - 18,
                      card.height() - 12);
    const QFont nameFont = boldFont(option.font);
    painter->setFont(nameFont);
    painter->setPen(text);
    painter->drawText(
        QRect(words.left(), words.top(), words.width(), words.height() / 2),
        Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(nameFont).elidedText(attachment.name, Qt::ElideMiddle, words.width()));
    painter->setFont(smallFont(option.font));
    painter->setPen(MessageFormatter::dimColor(palette));
    painter->drawText(QRect(words.left(), words.center().y(), words.width(), words.height() / 2),
                      Qt::AlignLeft | Qt::AlignVCenter, sizeText(attachment.size));
    const QColor highlight = palette.color(QPalette::Highlight);
    painter->setPen(QPen(highlight, 1));
    painter->setBrush(MessageFormatter::blend(under, highlight, 0.14f));
    painter->drawRoundedRect(QRectF(save).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
    painter->setFont(option.font);
    painter->setPen(MessageFormatter::accentInk(palette));
    painter->drawText(save, Qt::AlignCenter, MessageDelegate::tr("Save"));
}

} // namespace

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QSize MessageDelegate::imageSize(const client::Attachment &attachment)
{
    QSize size(attachment.thumbWidth, attachment.thumbHeight);
    if (size.isEmpty())
        size = QSize(attachment.width, attachment.height);
    if (size.isEmpty())
        return QSize(160, 120);
    // Never larger than the thumbnail: a tiny image stays tiny, a big one fits the box.
    return size.boundedTo(MaxImage) == size ? size : size.scaled(MaxImage, Qt::KeepAspectRatio);
}

QString MessageDelegate::chipText(const QVariantMap &reaction)
{
    return reaction.value(QStringLiteral("emoji")).toString() + QStringLiteral("  ") +
           QString::number(reaction.value(QStringLiteral("users")).toStringList().size());
}

QString MessageDelegate::quoteText(const QModelIndex &index)
{
    if (index.data(MessageModel::QuoteDeletedRole).toBool())
        return tr("deleted message");
    // As the browser shows it: the parent's words without their markup, on one line.
    return markup::plainText(index.data(MessageModel::QuoteBodyRole).toString());
}

int MessageDelegate::avatarSize(const QFont &font)
{
    return qBound(24, QFontMetrics(font).height() * 2, 72);
}

void MessageDelegate::layout(QTextDocument &doc, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    const int left = option.rect.left() + HMargin + avatarSize(option.font) + AvatarGap;
    const int width = qMax(50, option.rect.right() + 1 - HMargin - left);
    doc.setDefaultFont(option.font);
    doc.setDocumentMargin(0);
    const client::ChatMessage message = messageAt(index);
    if (message.isSystem() || message.deleted) {
        // Joins, leaves and deletions: one dim italic line, nothing the author wrote.
        const QString text = message.deleted ? tr("message deleted")
                                             : (message.kind == client::ChatMessage::Kind::Left
                                                    ? QStringLiteral("← ")
                                                    : QStringLiteral("→ ")) +
                                                   message.body;
        doc.setHtml(
            QStringLiteral("<p style=\"margin:0\"><i style=\"color:%1\">%2</i></p>")
                .arg(MessageFormatter::dimColor(option.palette).name(), text.toHtmlEscaped()));
    } else {
        doc.setHtml(MessageFormatter::messageHtml(message, m_nickname, option.palette));
    }
    doc.setTextWidth(width);
}

MessageDelegate::Geometry MessageDelegate::geometry(const QStyleOptionViewItem &option,
                                                    const QModelIndex &index,
                                                    QTextDocument *body) const
{
    Geometry g;
    const QRect &rect = option.rect;
    const QFontMetrics metrics(option.font);
    const int avatar = avatarSize(option.font);
    const int left = rect.left() + HMargin + avatar + AvatarGap;
    const int right = rect.right() + 1 - HMargin;
    int y = rect.top();
    if (index.data(MessageModel::DayStartRole).toBool()) {
        g.separator = QRect(rect.left(), y, rect.width(), metrics.height() + 16);
        y = g.separator.bottom() + 1;
    }
    const bool header = hasHeader(index);
    y += header ? GroupTop : (isCompact(index) ? 3 : LineTop);
    if (header) {
        g.avatar = QRect(rect.left() + HMargin, y, avatar, avatar);
        g.header = QRect(left, y, right - left, QFontMetrics(boldFont(option.font)).height());
        y = g.header.bottom() + 1 + 2;
    }
    if (!isCompact(index) && index.data(MessageModel::ReplyToRole).toLongLong() > 0) {
        // As wide as its text needs, never wider than the body.
        const QString who = index.data(MessageModel::QuoteUserRole).toString();
        const QString what = quoteText(index);
        const int wanted = 10 + QFontMetrics(boldFont(option.font)).horizontalAdvance(who) + 8 +
                           metrics.horizontalAdvance(what) + 12;
        g.quote = QRect(left, y, qMin(wanted, right - left), metrics.height() + 8);
        y = g.quote.bottom() + 1 + 4;
    }
    QTextDocument local;
    QTextDocument &doc = body ? *body : local;
    layout(doc, option, index);
    const QList<client::Attachment> attachments =
        isCompact(index) ? QList<client::Attachment>() : attachmentsOf(index);
    // Files sent without words: no empty line above them.
    const bool noText = !attachments.isEmpty() &&
                        index.data(MessageModel::BodyRole).toString().isEmpty() &&
                        !index.data(MessageModel::EditedAtRole).toDateTime().isValid();
    const int bodyHeight = noText ? 0 : int(std::ceil(doc.size().height()));
    g.body = QRect(left, y, right - left, bodyHeight);
    g.gutter = QRect(rect.left() + HMargin - 8, y, avatar + 8 + AvatarGap - 6, metrics.height());
    y = g.body.top() + bodyHeight;
    for (const client::Attachment &attachment : attachments) {
        y += AttachmentGap;
        if (attachment.isImage()) {
            const QSize size =
                imageSize(attachment).boundedTo(QSize(right - left, MaxImage.height()));
            g.attachments.append(QRect(QPoint(left, y), size));
            g.saveButtons.append(QRect());
        } else {
            const int height = metrics.height() * 2 + 20;
            const QRect card(left, y, qMin(CardWidth, right - left), height);
            const int saveWidth = metrics.horizontalAdvance(tr("Save")) + 24;
            const int saveHeight = metrics.height() + 10;
            g.attachments.append(card);
            g.saveButtons.append(QRect(card.right() - 10 - saveWidth + 1,
                                       card.center().y() - saveHeight / 2, saveWidth, saveHeight));
        }
        y = g.attachments.last().bottom() + 1;
    }
    const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
    if (!reactions.isEmpty() && !isCompact(index)) {
        const int chipHeight = metrics.height() + 8;
        int x = left;
        y += 4;
        for (const QVariant &item : reactions) {
            const QVariantMap reaction = item.toMap();
            const int width = metrics.horizontalAdvance(chipText(reaction)) + 20;
            if (x > left && x + width > right) {
                x = left;
                y += chipHeight + 4;
            }
            g.reactions.append({reaction.value(QStringLiteral("emoji")).toString(),
                                QRect(x, y, width, chipHeight)});
            x += width + ChipGap;
        }
        y += chipHeight;
    }
    y = qMax(y, g.avatar.isNull() ? y : g.avatar.bottom() + 1);
    g.height = y + Bottom - rect.top();
    return g;
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QTextDocument doc;
    const Geometry g = geometry(option, index, &doc);
    const QPalette &palette = option.palette;
    const QColor base = palette.color(QPalette::Base);
    const QColor dim = MessageFormatter::dimColor(palette);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (!g.separator.isNull())
        paintSeparator(painter, option, index, g.separator);
    const QRect row =
        option.rect.adjusted(0, g.separator.isNull() ? 0 : g.separator.height(), 0, 0);
    const QColor background = rowBackground(option, index);
    const QColor under = background.isValid() ? background : base;
    if (background.isValid())
        painter->fillRect(row, background);
    if (index.data(MessageModel::MentionRole).toBool())
        painter->fillRect(QRect(row.left(), row.top(), 3, row.height()),
                          MessageFormatter::isDark(palette) ? QColor(0xe8, 0xb5, 0x3a)
                                                            : QColor(0xe0, 0xa4, 0x00));
    if (!g.avatar.isNull())
        paintAvatar(painter, option, index.data(MessageModel::UserRole).toString(), g.avatar);
    if (!g.header.isNull()) {
        paintHeader(painter, option, index, g.header, under);
    } else if (isCompact(index) ||
               (option.state & (QStyle::State_MouseOver | QStyle::State_Selected))) {
        // Grouped lines show their time on hover (the browser's .side-time); one-line rows always.
        painter->setFont(smallFont(option.font));
        painter->setPen(dim);
        painter->drawText(g.gutter, Qt::AlignRight | Qt::AlignVCenter, timeText(index));
    }
    if (!g.quote.isNull())
        paintQuote(painter, option, index, g.quote, under);
    if (!g.reactions.isEmpty())
        paintReactions(painter, option, index, g.reactions, under);
    if (!g.attachments.isEmpty())
        paintAttachments(painter, option, index, g, under);
    painter->translate(g.body.topLeft());
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = palette;
    if (index.data(MessageModel::PendingRole).toBool())
        context.palette.setColor(QPalette::Text, dim);
    doc.documentLayout()->draw(painter, context);
    painter->restore();
    if (option.state & QStyle::State_HasFocus) {
        // Solid, two pixels: a dotted hairline is easy to miss when the keyboard moves here.
        painter->save();
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->drawRect(row.adjusted(1, 1, -1, -1));
        painter->restore();
    }
}

void MessageDelegate::paintAttachments(QPainter *painter, const QStyleOptionViewItem &option,
                                       const QModelIndex &index, const Geometry &g,
                                       const QColor &under) const
{
    const QList<client::Attachment> attachments = attachmentsOf(index);
    const qint64 id = index.data(MessageModel::IdRole).toLongLong();
    for (int i = 0; i < g.attachments.size() && i < attachments.size(); ++i) {
        const client::Attachment &attachment = attachments.at(i);
        const QRect &box = g.attachments.at(i);
        if (!attachment.isImage()) {
            paintCard(painter, option, attachment, box, g.saveButtons.at(i), under);
            continue;
        }
        const QPixmap pixmap =
            m_thumbnails && id > 0 ? m_thumbnails->thumbnail(attachment, id) : QPixmap();
        QPainterPath clip;
        clip.addRoundedRect(QRectF(box), 6, 6);
        painter->save();
        painter->setClipPath(clip);
        if (!pixmap.isNull()) {
            painter->setRenderHint(QPainter::SmoothPixmapTransform);
            painter->drawPixmap(box, pixmap);
        } else {
            // Until it arrives: a tinted box of the right size with the name, so nothing jumps.
            const QColor text = option.palette.color(QPalette::Text);
            painter->fillRect(box, MessageFormatter::blend(under, text, 0.08f));
            painter->setFont(smallFont(option.font));
            painter->setPen(MessageFormatter::dimColor(option.palette));
            painter->drawText(box.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap,
                              attachment.name);
        }
        painter->restore();
    }
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return QSize(option.rect.width(), geometry(option, index).height);
}

MessageDelegate::Hit MessageDelegate::hitTest(const QStyleOptionViewItem &option,
                                              const QModelIndex &index, const QPoint &pos) const
{
    QTextDocument doc;
    const Geometry g = geometry(option, index, &doc);
    if (g.quote.contains(pos))
        return {Hit::Kind::Quote,
                QString::number(index.data(MessageModel::ReplyToRole).toLongLong())};
    for (const auto &[emoji, chip] : g.reactions) {
        if (chip.contains(pos))
            return {Hit::Kind::Reaction, emoji};
    }
    for (int i = 0; i < g.attachments.size(); ++i) {
        if (g.saveButtons.at(i).contains(pos))
            return {Hit::Kind::Save, QString::number(i)};
        if (g.attachments.at(i).contains(pos))
            return {g.saveButtons.at(i).isNull() ? Hit::Kind::Image : Hit::Kind::File,
                    QString::number(i)};
    }
    if (g.body.contains(pos)) {
        const QString anchor = doc.documentLayout()->anchorAt(pos - g.body.topLeft());
        if (anchor == MessageFormatter::EditedAnchor)
            return {Hit::Kind::Edited, {}};
        if (!anchor.isEmpty())
            return {Hit::Kind::Link, anchor};
    }
    return {};
}

bool MessageDelegate::editorEvent(QEvent *event, QAbstractItemModel *model,
                                  const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() != QEvent::MouseButtonRelease && event->type() != QEvent::MouseMove)
        return QStyledItemDelegate::editorEvent(event, model, option, index);
    auto *mouse = static_cast<QMouseEvent *>(event);
    const Hit hit = hitTest(option, index, mouse->position().toPoint());
    const bool clickable = hit.kind != Hit::Kind::None && hit.kind != Hit::Kind::Edited;
    if (auto *widget = const_cast<QWidget *>(option.widget))
        widget->setCursor(clickable ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (event->type() == QEvent::MouseButtonRelease && mouse->button() == Qt::LeftButton &&
        clickable) {
        if (hit.kind == Hit::Kind::Link)
            Q_EMIT linkActivated(hit.value);
        else if (hit.kind == Hit::Kind::Quote)
            Q_EMIT quoteActivated(hit.value.toLongLong());
        else if (hit.kind == Hit::Kind::Reaction)
            Q_EMIT reactionActivated(index.row(), hit.value);
        else if (hit.kind == Hit::Kind::Save)
            Q_EMIT saveRequested(index.row(), hit.value.toInt());
        else
            Q_EMIT attachmentActivated(index.row(), hit.value.toInt());
        return true;
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                                const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() != QEvent::ToolTip)
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    const Hit hit = hitTest(option, index, event->pos());
    QString tip;
    if (hit.kind == Hit::Kind::Edited) {
        tip = tr("Edited %1")
                  .arg(QLocale().toString(
                      index.data(MessageModel::EditedAtRole).toDateTime().toLocalTime(),
                      QStringLiteral("dddd d MMMM yyyy, HH:mm:ss")));
    } else if (hit.kind == Hit::Kind::Reaction) {
        for (const QVariant &item : index.data(MessageModel::ReactionsRole).toList()) {
            const QVariantMap reaction = item.toMap();
            if (reaction.value(QStringLiteral("emoji")).toString() == hit.value)
                tip = hit.value + QLatin1Char(' ') +
                      reaction.value(QStringLiteral("users"))
                          .toStringList()
                          .join(QStringLiteral(", "));
        }
    }
    if (tip.isEmpty())
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    QToolTip::showText(event->globalPos(), tip, view->viewport());
    return true;
}

} // namespace chatter::ui

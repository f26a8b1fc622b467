// SPDX-License-Identifier: MIT
#include "searchresultdelegate.h"

#include "messageformatter.h"
#include "searchresultsmodel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>
#include <QStyle>
#include <QTextLayout>

namespace chatter::ui {

using client::SearchResultsModel;

namespace {

constexpr int Padding = 6;

QFont smallerFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    return small;
}

QString shownTime(const QDateTime &at)
{
    // As the message list: HH:mm today, the day before it otherwise.
    const QDateTime local = at.toLocalTime();
    if (local.date() == QDate::currentDate())
        return local.toString(QStringLiteral("HH:mm"));
    return QLocale().toString(local.date(), QLocale::ShortFormat) + QLatin1Char(' ') +
           local.toString(QStringLiteral("HH:mm"));
}

} // namespace

int SearchResultDelegate::layoutSnippet(QTextLayout &layout, const QStyleOptionViewItem &option,
                                        const QModelIndex &index, int width)
{
    layout.setText(index.data(SearchResultsModel::SnippetRole).toString());
    layout.setFont(option.font);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(textOption);
    QList<QTextLayout::FormatRange> formats;
    // On a selected row the tint is mixed from the selection's own colours, to stay visible.
    const bool selected = option.state & QStyle::State_Selected;
    const QColor tint =
        selected ? MessageFormatter::blend(option.palette.color(QPalette::Highlight),
                                           option.palette.color(QPalette::HighlightedText), 0.3f)
                 : MessageFormatter::blend(option.palette.color(QPalette::Base),
                                           option.palette.color(QPalette::Highlight), 0.3f);
    for (const QVariant &range : index.data(SearchResultsModel::HighlightsRole).toList()) {
        const QVariantList pair = range.toList();
        QTextLayout::FormatRange format;
        format.start = pair.value(0).toInt();
        format.length = pair.value(1).toInt();
        format.format.setFontWeight(QFont::Bold);
        format.format.setBackground(tint);
        formats.append(format);
    }
    layout.setFormats(formats);
    layout.beginLayout();
    int height = 0;
    const int lineSpacing = QFontMetrics(option.font).lineSpacing();
    for (int lines = 0; lines < MaxSnippetLines; ++lines) {
        QTextLine line = layout.createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(qMax(1, width));
        line.setPosition(QPointF(0, height));
        height += lineSpacing;
    }
    layout.endLayout();
    return height;
}

void SearchResultDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // Background, selection and focus as the style draws them; the text is ours.
    opt.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    painter->save();
    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QRect area = option.rect.adjusted(Padding, Padding / 2, -Padding, -Padding / 2);
    if (index.data(SearchResultsModel::GroupRole).toBool()) {
        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(text);
        const QString title = index.data(SearchResultsModel::TitleRole).toString();
        const int count = index.data(SearchResultsModel::CountRole).toInt();
        const QString shown = QStringLiteral("%1  (%2)").arg(title).arg(count);
        painter->drawText(area, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(shown, Qt::ElideRight, area.width()));
        painter->restore();
        return;
    }
    // Header: author, then the time in the secondary colour.
    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    const QString user = index.data(SearchResultsModel::UserRole).toString();
    painter->setFont(bold);
    painter->setPen(text);
    const QRect header(area.left(), area.top(), area.width(), boldMetrics.height());
    const QString shownUser = boldMetrics.elidedText(user, Qt::ElideRight, area.width() / 2);
    painter->drawText(header, Qt::AlignLeft | Qt::AlignVCenter, shownUser);
    const QFont small = smallerFont(option.font);
    painter->setFont(small);
    painter->setPen(selected ? text : option.palette.color(QPalette::PlaceholderText));
    const int timeLeft = area.left() + boldMetrics.horizontalAdvance(shownUser) + Padding;
    painter->drawText(QRect(timeLeft, header.top(), area.right() - timeLeft, header.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      shownTime(index.data(SearchResultsModel::AtRole).toDateTime()));
    // The snippet, its highlights as formats.
    QTextLayout layout;
    layoutSnippet(layout, option, index, area.width());
    painter->setPen(text);
    layout.draw(painter, QPointF(area.left(), header.bottom() + 2));
    painter->restore();
}

QSize SearchResultDelegate::sizeHint(const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const
{
    const QFontMetrics metrics(option.font);
    if (index.data(SearchResultsModel::GroupRole).toBool())
        return {option.rect.width(), metrics.height() + Padding * 2};
    QFont bold = option.font;
    bold.setBold(true);
    // The view's width decides the wrapping; before the first layout there is none yet.
    const int width =
        (option.widget ? option.widget->width() : option.rect.width()) - Padding * 2 - 24;
    QTextLayout layout;
    const int snippet = layoutSnippet(layout, option, index, qMax(120, width));
    return {option.rect.width(), QFontMetrics(bold).height() + 2 + snippet + Padding};
}

} // namespace chatter::ui

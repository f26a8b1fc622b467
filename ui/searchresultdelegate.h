// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

class QTextLayout;

namespace chatter::ui {

//! Paints SearchResultsModel rows: a conversation row as a bold heading with its count, a
//! result as its author and time over the snippet, the matched words (HighlightsRole, UTF-16
//! ranges) bold on a highlight tint. The snippet is plain text: nothing in it is markup.
//! GUI thread only.
class SearchResultDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    //! At most this many lines of a snippet are shown.
    static constexpr int MaxSnippetLines = 3;

    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    //! The snippet laid out in `width` with the highlights as formats; its height in pixels.
    static int layoutSnippet(QTextLayout &layout, const QStyleOptionViewItem &option,
                             const QModelIndex &index, int width);
};

} // namespace chatter::ui

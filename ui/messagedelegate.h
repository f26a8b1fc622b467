// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

class QTextDocument;

namespace chatter::ui {

//! Paints one message as wrapped rich text (see MessageFormatter) and opens clicked links.
//! Own messages get a tinted background, messages that mention me an amber one, both mixed
//! from the view's palette so light and dark desktops stay readable. The first message of a
//! day carries a date header above it.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void setMyNickname(const QString &nickname) { m_nickname = nickname; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

Q_SIGNALS:
    void linkActivated(const QString &url);

public:
    //! Lays the line out as painted: what tests and link hit-testing measure.
    void layout(QTextDocument &doc, const QStyleOptionViewItem &option,
                const QModelIndex &index) const;
    //! Height of the date header above a day's first message, 0 for other rows.
    int dayHeaderHeight(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    //! Where a line's text starts after the first: the width of "12:34  nick  ".
    static int hangingIndent(const QFont &font, const QString &nickname, int available);

private:
    QString m_nickname;
};

} // namespace chatter::ui

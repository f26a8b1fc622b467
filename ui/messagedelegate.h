// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

class QTextDocument;

namespace chatter::ui {

//! Paints one message as wrapped rich text (see MessageFormatter) and opens clicked links.
//! Own messages get a tinted background, messages that mention me a yellow one.
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

private:
    void layout(QTextDocument &doc, const QStyleOptionViewItem &option,
                const QModelIndex &index) const;

    QString m_nickname;
};

} // namespace chatter::ui

// SPDX-License-Identifier: MIT
#pragma once

#include <QListView>

namespace chatter::ui {

class MessageDelegate;

//! The message list of the current room. Follows new messages while scrolled to the bottom,
//! keeps its place when older ones are prepended, and asks for more at the top.
class MessageView : public QListView
{
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    MessageDelegate *messageDelegate() const { return m_delegate; }

Q_SIGNALS:
    //! Scrolled to the very top: time to load older messages.
    void reachedTop();

protected:
    void resizeEvent(QResizeEvent *event) override;
    //! Keyboard entry lands on the newest message, where reading starts, and shows it.
    void focusInEvent(QFocusEvent *event) override;

private:
    void beforeInsert(const QModelIndex &parent, int first);
    void afterInsert(const QModelIndex &parent, int first, int last);
    void openFirstLink(const QModelIndex &index);

    MessageDelegate *m_delegate;
    bool m_stickToBottom = true;
    int m_heightBeforePrepend = -1;
};

} // namespace chatter::ui

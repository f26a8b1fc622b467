// SPDX-License-Identifier: MIT
#pragma once

#include <QFrame>
#include <QList>

class QToolButton;

namespace chatter::ui {

//! A small popup of common emoji for a reaction: click one, or move with the arrow keys and
//! press Enter or Space; Escape closes it. Emoji I already reacted with are shown pressed
//! (picking one again takes it back). GUI thread; deletes itself when closed if asked.
class ReactionPicker : public QFrame
{
    Q_OBJECT
public:
    explicit ReactionPicker(QWidget *parent = nullptr);

    //! The emoji offered, in order.
    static QStringList commonEmoji();
    //! Marks the emoji I have on the message already.
    void setMine(const QStringList &emoji);
    //! Shows the popup at `globalPos` with the first emoji focused.
    void popup(const QPoint &globalPos);
    QToolButton *buttonFor(const QString &emoji) const;

Q_SIGNALS:
    void picked(const QString &emoji);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void choose(const QString &emoji);

    QList<QToolButton *> m_buttons;
    static constexpr int Columns = 6;
};

} // namespace chatter::ui

// SPDX-License-Identifier: MIT
#include "reactionpicker.h"

#include <QGridLayout>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QScreen>
#include <QToolButton>

namespace chatter::ui {

ReactionPicker::ReactionPicker(QWidget *parent) : QFrame(parent, Qt::Popup)
{
    setObjectName(QStringLiteral("reactionPicker"));
    setAccessibleName(tr("Add a reaction"));
    setFrameShape(QFrame::StyledPanel);
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->setSpacing(2);
    const QStringList emoji = commonEmoji();
    QFont emojiFont = font();
    emojiFont.setPointSizeF(emojiFont.pointSizeF() * 1.4);
    for (int i = 0; i < emoji.size(); ++i) {
        auto *button = new QToolButton;
        button->setText(emoji.at(i));
        button->setFont(emojiFont);
        button->setAutoRaise(true);
        button->setCheckable(true);
        button->setFocusPolicy(Qt::StrongFocus);
        button->setAccessibleName(emoji.at(i));
        button->setObjectName(QStringLiteral("reaction%1").arg(i));
        connect(button, &QToolButton::clicked, this, [this, e = emoji.at(i)] { choose(e); });
        grid->addWidget(button, i / Columns, i % Columns);
        m_buttons.append(button);
    }
}

QStringList ReactionPicker::commonEmoji()
{
    return {QStringLiteral("👍"), QStringLiteral("❤️"), QStringLiteral("😂"),
            QStringLiteral("🎉"), QStringLiteral("😮"),      QStringLiteral("😢"),
            QStringLiteral("👀"), QStringLiteral("🙏"),      QStringLiteral("✅"),
            QStringLiteral("🔥"), QStringLiteral("👎"),      QStringLiteral("🤔")};
}

void ReactionPicker::setMine(const QStringList &emoji)
{
    for (QToolButton *button : std::as_const(m_buttons))
        button->setChecked(emoji.contains(button->text()));
}

QToolButton *ReactionPicker::buttonFor(const QString &emoji) const
{
    for (QToolButton *button : m_buttons) {
        if (button->text() == emoji)
            return button;
    }
    return nullptr;
}

void ReactionPicker::popup(const QPoint &globalPos)
{
    adjustSize();
    QPoint at = globalPos;
    // Keep the whole popup on the screen the point is on.
    if (const QScreen *screen = QGuiApplication::screenAt(globalPos)) {
        const QRect room = screen->availableGeometry();
        at.setX(qBound(room.left(), at.x(), room.right() - width()));
        at.setY(qBound(room.top(), at.y(), room.bottom() - height()));
    }
    move(at);
    show();
    if (!m_buttons.isEmpty())
        m_buttons.first()->setFocus(Qt::PopupFocusReason);
}

void ReactionPicker::keyPressEvent(QKeyEvent *event)
{
    const int at = int(m_buttons.indexOf(qobject_cast<QToolButton *>(focusWidget())));
    int next = -1;
    switch (event->key()) {
    case Qt::Key_Right:
        next = at + 1;
        break;
    case Qt::Key_Left:
        next = at - 1;
        break;
    case Qt::Key_Down:
        next = at + Columns;
        break;
    case Qt::Key_Up:
        next = at - Columns;
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (at >= 0)
            choose(m_buttons.at(at)->text());
        return;
    case Qt::Key_Escape:
        close();
        return;
    default:
        QFrame::keyPressEvent(event);
        return;
    }
    if (at < 0)
        next = 0;
    if (next >= 0 && next < m_buttons.size())
        m_buttons.at(next)->setFocus(Qt::TabFocusReason);
}

void ReactionPicker::choose(const QString &emoji)
{
    close();
    Q_EMIT picked(emoji);
}

} // namespace chatter::ui

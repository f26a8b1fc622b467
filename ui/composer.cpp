// SPDX-License-Identifier: MIT
#include "composer.h"

#include <QKeyEvent>

namespace chatter::ui {

Composer::Composer(QWidget *parent) : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setPlaceholderText(tr("Message — Enter to send, Shift+Enter for a new line"));
    setAccessibleName(tr("Message composer"));
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_clearing && !toPlainText().isEmpty())
            Q_EMIT edited();
    });
}

QSize Composer::sizeHint() const
{
    // About three lines: enough for a paragraph without eating the message view.
    const int lines = 3;
    return QSize(QPlainTextEdit::sizeHint().width(),
                 fontMetrics().lineSpacing() * lines + 2 * frameWidth() + 8);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        const QString text = toPlainText();
        if (!text.trimmed().isEmpty()) {
            m_clearing = true;
            clear();
            m_clearing = false;
            Q_EMIT submitted(text);
        }
        return;
    }
    if (enter) {
        // Shift+Enter: a plain newline, not QPlainTextEdit's line separator.
        insertPlainText(QStringLiteral("\n"));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

} // namespace chatter::ui

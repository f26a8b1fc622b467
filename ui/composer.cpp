// SPDX-License-Identifier: MIT
#include "composer.h"

#include "chatvalidation.h"
#include "messageview.h"

#include <QImage>
#include <QKeyEvent>
#include <QLocale>
#include <QMimeData>

namespace chatter::ui {

namespace {

//! The counter appears this close to the limit: earlier it is noise.
constexpr int CounterShownWithin = 500;

} // namespace

Composer::Composer(QWidget *parent) : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setPlaceholderText(tr("Message — Enter to send, Shift+Enter for a new line"));
    setAccessibleName(tr("Message composer"));
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        Q_EMIT lengthChanged(length());
        if (!m_programmatic && !toPlainText().isEmpty())
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

int Composer::length() const
{
    return int(toPlainText().size());
}

int Composer::maxLength()
{
    return validation::MaxBodyLength;
}

QString Composer::counterText(int length)
{
    if (length < maxLength() - CounterShownWithin)
        return {};
    const QLocale locale;
    if (length > maxLength())
        return tr("%1 / %2 — %3 too many")
            .arg(locale.toString(length), locale.toString(maxLength()),
                 locale.toString(length - maxLength()));
    return tr("%1 / %2").arg(locale.toString(length), locale.toString(maxLength()));
}

void Composer::clearSent()
{
    setDraft({});
}

void Composer::setDraft(const QString &text)
{
    m_programmatic = true;
    setPlainText(text);
    moveCursor(QTextCursor::End);
    m_programmatic = false;
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        const QString text = toPlainText();
        if (text.trimmed().isEmpty() && !m_attachmentsReady)
            return;
        if (text.size() > maxLength()) {
            Q_EMIT refused(
                tr("Message not sent: %1 characters, the limit is %2. Shorten it or "
                   "split it in two.")
                    .arg(QLocale().toString(text.size()), QLocale().toString(maxLength())));
            return;
        }
        Q_EMIT submitted(text);
        return;
    }
    if (event->key() == Qt::Key_Up && event->modifiers() == Qt::NoModifier &&
        toPlainText().isEmpty()) {
        Q_EMIT editLastRequested();
        return;
    }
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        Q_EMIT cancelRequested();
        return;
    }
    if (enter) {
        // Shift+Enter: a plain newline, not QPlainTextEdit's line separator.
        insertPlainText(QStringLiteral("\n"));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool Composer::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasImage() || !MessageView::localFiles(source).isEmpty() ||
           QPlainTextEdit::canInsertFromMimeData(source);
}

void Composer::insertFromMimeData(const QMimeData *source)
{
    // Files first: a file manager's copy also carries the paths as text.
    if (const QStringList paths = MessageView::localFiles(source); !paths.isEmpty()) {
        Q_EMIT filesDropped(paths);
        return;
    }
    if (source->hasImage()) {
        const QImage image = qvariant_cast<QImage>(source->imageData());
        if (!image.isNull()) {
            Q_EMIT imagePasted(image);
            return;
        }
    }
    QPlainTextEdit::insertFromMimeData(source);
}

} // namespace chatter::ui

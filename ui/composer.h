// SPDX-License-Identifier: MIT
#pragma once

#include <QPlainTextEdit>

namespace chatter::ui {

//! The message input: Enter sends, Shift+Enter starts a new line, Tab moves focus on, Up in
//! an empty composer asks to edit the last own message, Escape cancels a reply or an edit.
//! Text over the server's limit is never cut: Enter refuses it and says why.
class Composer : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);

    QSize sizeHint() const override;
    //! Characters as the server counts them (UTF-16 code units), and the limit.
    int length() const;
    static int maxLength();
    //! What the length counter says: empty until close to the limit.
    static QString counterText(int length);
    //! Clears what was just submitted (the window calls it once the session took it).
    void clearSent();
    //! Replaces the text without it counting as typing (switching rooms restores drafts).
    void setDraft(const QString &text);
    //! Files wait to go with the message: Enter then sends even without text.
    void setAttachmentsReady(bool ready) { m_attachmentsReady = ready; }

Q_SIGNALS:
    //! The user pressed Enter on non-blank text within the limit. The text stays until
    //! clearSent(): a message nobody accepted is not lost.
    void submitted(const QString &text);
    //! The user pressed Enter but the text cannot be sent (too long); `reason` says so.
    void refused(const QString &reason);
    //! The user changed the text by typing (not by clearSent() or setDraft()).
    void edited();
    void lengthChanged(int length);
    //! Up with nothing typed: edit my last message (docs/conversations.md).
    void editLastRequested();
    //! Escape: leave the reply or edit mode, if any.
    void cancelRequested();
    //! Files dropped or pasted (their urls): attach them, the text stays as it is.
    void filesDropped(const QStringList &paths);
    //! An image pasted (Ctrl+V of a screenshot, say): attach it as a PNG.
    void imagePasted(const QImage &image);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    //! Paste and drop both come here: files and images attach, text is inserted as text.
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    bool m_programmatic = false;
    bool m_attachmentsReady = false;
};

} // namespace chatter::ui

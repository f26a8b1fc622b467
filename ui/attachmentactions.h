// SPDX-License-Identifier: MIT
#pragma once

#include "attachment.h"

#include <QObject>

#include <functional>
#include <optional>

class QToolButton;
class QWidget;

namespace chatter::client {
class ChatSession;
class FileTransfer;
} // namespace chatter::client

namespace chatter::ui {

class Composer;
class MessageView;
class PendingAttachments;
class ThumbnailCache;

//! Files in the chat window. Attaching: the attach button, files dropped on the conversation
//! or the composer, an image pasted into the composer all start uploads in
//! PendingAttachments, above the composer. Showing: inline thumbnails (ThumbnailCache, painted
//! by MessageDelegate); a click on an image opens ImageViewer, a file card's Save asks where
//! (QFileDialog) and downloads it there with a progress dialog. An expired signed URL asks the
//! session for the message again and retries once with the fresh one. GUI thread; observes
//! the view's, the composer's and the transfers' signals.
class AttachmentActions : public QObject
{
    Q_OBJECT
public:
    AttachmentActions(client::ChatSession *session, MessageView *view, Composer *composer,
                      QWidget *window);

    //! The uploads waiting to go with the next message (the window places it).
    PendingAttachments *pending() const { return m_pending; }
    //! The composer's paper clip (the window places it).
    QToolButton *attachButton() const { return m_attachButton; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    //! The attach button: a file dialog, then uploads.
    void pickFiles();

    //! Attachment `i` of the message at `row` of the view's model; nullopt when none.
    std::optional<client::Attachment> attachmentAt(int row, int i) const;
    //! Opens the image viewer (images) or asks where to save (other files).
    void open(int row, int i);
    //! Asks where to save attachment `i` of `row`, then saveTo().
    void save(int row, int i);
    //! Downloads attachment `i` of `row` into `path` (written whole or not at all).
    void saveTo(int row, int i, const QString &path);

Q_SIGNALS:
    //! A line for the status bar: saved, or why not.
    void status(const QString &text);
    //! A save ended: `path` written (ok), or not.
    void saved(const QString &path, bool ok);

private:
    void download(const client::Attachment &attachment, qint64 messageId, const QString &path,
                  bool retried);
    //! Asks for fresh URLs of message `messageId`; `then` runs with the refreshed attachment.
    void refreshThen(qint64 messageId, const QString &fileId,
                     std::function<void(const client::Attachment &)> then);

    client::ChatSession *m_session;
    MessageView *m_view;
    QWidget *m_window;
    PendingAttachments *m_pending;
    QToolButton *m_attachButton;
    ThumbnailCache *m_thumbnails;
};

} // namespace chatter::ui

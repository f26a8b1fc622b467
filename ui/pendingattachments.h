// SPDX-License-Identifier: MIT
#pragma once

#include "attachment.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;
class QVBoxLayout;

namespace chatter::client {
class ChatSession;
class FileTransfer;
} // namespace chatter::client

namespace chatter::ui {

//! The files waiting in the composer to go with the next message: each uploads at once
//! (FileClient, with the session's token) and shows as a row with its name, a progress bar and
//! a cancel button; a refused upload stays as a row that says why (too large: the limit;
//! quota) until removed. Files belong to the conversation they were attached in, as drafts do:
//! switching shows the other one's, and a file meant for a DM never goes to a room. Hidden
//! while the current conversation has none. GUI thread; observes the transfers' signals.
class PendingAttachments : public QWidget
{
    Q_OBJECT
public:
    explicit PendingAttachments(client::ChatSession *session, QWidget *parent = nullptr);
    ~PendingAttachments() override;

    //! The conversation shown: what follows is about its files.
    void setRoom(const QString &room);
    //! Starts uploading files from disk (dropped, pasted, or picked with the attach button).
    void addFiles(const QStringList &paths);
    //! Starts uploading a pasted image as a PNG named pastedName().
    void addImage(const QImage &image);
    //! "pasted-20261205-091502.png": what a pasted image is called.
    static QString pastedName(const QDateTime &at);

    //! What finished uploading, in the order added: these go with the message.
    QList<client::Attachment> ready() const;
    bool isUploading() const;
    int count() const;
    //! The message went out: every row goes (refused ones too, their reason was seen).
    void clear();
    //! The transfer of row `i` (tests watch its progress).
    client::FileTransfer *transfer(int i) const;

Q_SIGNALS:
    //! Rows came, went, or finished: what ready() holds may differ.
    void changed();
    //! An upload was refused; `message` says which file and why.
    void refused(const QString &message);

private:
    struct Item
    {
        //! Owned by the session's FileClient, which may go first when the window closes.
        QPointer<client::FileTransfer> transfer;
        QWidget *row = nullptr;
        QProgressBar *bar = nullptr;
        QLabel *status = nullptr;
        QToolButton *button = nullptr;
        QString room;
    };
    //! The rows of the current conversation, in the order added.
    QList<Item> current() const;
    void updateVisibility();
    void add(client::FileTransfer *transfer, qint64 size);
    void onFinished(client::FileTransfer *transfer);
    void remove(client::FileTransfer *transfer);
    int indexOf(const client::FileTransfer *transfer) const;

    client::ChatSession *m_session;
    QVBoxLayout *m_layout;
    QList<Item> m_items;
    QString m_room;
};

} // namespace chatter::ui

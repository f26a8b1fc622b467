// SPDX-License-Identifier: MIT
#pragma once

#include "attachment.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QScrollArea;

namespace chatter::client {
class FileClient;
class FileTransfer;
} // namespace chatter::client

namespace chatter::ui {

//! The full image of an inline thumbnail, fetched from its signed `url` when the dialog
//! opens and shown fitted to the screen (scrollable when larger). GUI thread.
class ImageViewer : public QDialog
{
    Q_OBJECT
public:
    ImageViewer(client::FileClient *files, const client::Attachment &attachment,
                QWidget *parent = nullptr);
    ~ImageViewer() override;

    //! The image once it arrived; null before.
    QPixmap image() const { return m_image; }

Q_SIGNALS:
    //! The image is shown, or could not be fetched (the dialog says why).
    void loaded(bool ok);

private:
    void onFinished();

    client::Attachment m_attachment;
    QPointer<client::FileTransfer> m_transfer;
    QScrollArea *m_scroll;
    QLabel *m_label;
    QPixmap m_image;
};

} // namespace chatter::ui

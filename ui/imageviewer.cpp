// SPDX-License-Identifier: MIT
#include "imageviewer.h"

#include "fileclient.h"
#include "filetransfer.h"

#include <QLabel>
#include <QScreen>
#include <QScrollArea>
#include <QVBoxLayout>

namespace chatter::ui {

ImageViewer::ImageViewer(client::FileClient *files, const client::Attachment &attachment,
                         QWidget *parent)
    : QDialog(parent), m_attachment(attachment), m_scroll(new QScrollArea(this)),
      m_label(new QLabel(this))
{
    setObjectName(QStringLiteral("imageViewer"));
    setWindowTitle(attachment.name);
    setAttribute(Qt::WA_DeleteOnClose);
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setText(tr("Loading %1…").arg(attachment.name));
    m_scroll->setWidget(m_label);
    m_scroll->setWidgetResizable(true);
    m_scroll->setAlignment(Qt::AlignCenter);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scroll);
    // A sensible size before the bytes arrive: the image's own, within the screen.
    const QSize screen =
        (parent && parent->screen() ? parent->screen() : this->screen())->availableSize() * 0.85;
    const QSize wanted(qMax(attachment.width, 320), qMax(attachment.height, 240));
    resize(wanted.boundedTo(screen));
    m_transfer = files->download(attachment.url, attachment.name);
    connect(m_transfer, &client::FileTransfer::finished, this, &ImageViewer::onFinished);
}

ImageViewer::~ImageViewer()
{
    if (m_transfer)
        m_transfer->deleteLater();
}

void ImageViewer::onFinished()
{
    m_transfer->deleteLater();
    if (m_transfer->state() == client::FileTransfer::State::Done)
        m_image.loadFromData(m_transfer->data());
    if (m_image.isNull()) {
        m_label->setText(m_transfer->state() == client::FileTransfer::State::Done
                             ? tr("%1 could not be shown").arg(m_attachment.name)
                             : m_transfer->error());
        Q_EMIT loaded(false);
        return;
    }
    // Fitted, never enlarged: a big photo fits the window, a small icon stays small.
    const QSize room = m_scroll->viewport()->size();
    m_label->setPixmap(m_image.size().boundedTo(room) == m_image.size()
                           ? m_image
                           : m_image.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    Q_EMIT loaded(true);
}

} // namespace chatter::ui

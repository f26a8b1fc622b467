// SPDX-License-Identifier: MIT
#include "attachmentactions.h"

#include "chatsession.h"
#include "composer.h"
#include "fileclient.h"
#include "filetransfer.h"
#include "imageviewer.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "messageview.h"
#include "pendingattachments.h"
#include "thumbnailcache.h"

#include <QDir>
#include <QFileDialog>
#include <QProgressDialog>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>
#include <QToolButton>

#include <memory>

namespace chatter::ui {

namespace {

//! How long a refresh of expired URLs may take before the action gives up.
constexpr int RefreshTimeoutMs = 10'000;

using client::MessageModel;

} // namespace

AttachmentActions::AttachmentActions(client::ChatSession *session, MessageView *view,
                                     Composer *composer, QWidget *window)
    : QObject(window), m_session(session), m_view(view), m_window(window),
      m_pending(new PendingAttachments(session)), m_attachButton(new QToolButton),
      m_thumbnails(new ThumbnailCache(session, this))
{
    connect(view, &MessageView::attachmentClicked, this, &AttachmentActions::open);
    connect(view, &MessageView::saveClicked, this, &AttachmentActions::save);
    connect(view, &MessageView::filesDropped, m_pending, &PendingAttachments::addFiles);
    connect(composer, &Composer::filesDropped, m_pending, &PendingAttachments::addFiles);
    connect(composer, &Composer::imagePasted, m_pending, &PendingAttachments::addImage);
    connect(m_pending, &PendingAttachments::changed, composer,
            [this, composer] { composer->setAttachmentsReady(!m_pending->ready().isEmpty()); });
    connect(m_pending, &PendingAttachments::refused, this, &AttachmentActions::status);
    m_pending->setRoom(session->currentRoom());
    connect(session, &client::ChatSession::currentRoomChanged, m_pending,
            &PendingAttachments::setRoom);
    view->messageDelegate()->setThumbnails(m_thumbnails);
    // Thumbnails have their size before they arrive: a repaint, no new layout.
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, view->viewport(),
            qOverload<>(&QWidget::update));
    m_attachButton->setObjectName(QStringLiteral("attachButton"));
    m_attachButton->setText(QStringLiteral("📎"));
    m_attachButton->setToolTip(tr("Attach files, Ctrl+U (or drop them here, or paste an image)"));
    m_attachButton->setAccessibleName(tr("Attach files"));
    m_attachButton->setAutoRaise(true);
    connect(m_attachButton, &QToolButton::clicked, this, &AttachmentActions::pickFiles);
}

void AttachmentActions::pickFiles()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        m_window, tr("Attach files"),
        QStandardPaths::writableLocation(QStandardPaths::PicturesLocation));
    m_pending->addFiles(paths);
}

std::optional<client::Attachment> AttachmentActions::attachmentAt(int row, int i) const
{
    if (!m_view->model())
        return std::nullopt;
    const QList<client::Attachment> attachments = m_view->model()
                                                      ->index(row, 0)
                                                      .data(MessageModel::AttachmentsRole)
                                                      .value<QList<client::Attachment>>();
    if (i < 0 || i >= attachments.size())
        return std::nullopt;
    return attachments.at(i);
}

void AttachmentActions::open(int row, int i)
{
    const auto attachment = attachmentAt(row, i);
    if (!attachment)
        return;
    if (!attachment->isImage()) {
        save(row, i);
        return;
    }
    auto show = [this](const client::Attachment &fresh) {
        auto *viewer = new ImageViewer(m_session->files(), fresh, m_window);
        viewer->show();
    };
    if (attachment->isExpired())
        refreshThen(m_view->model()->index(row, 0).data(MessageModel::IdRole).toLongLong(),
                    attachment->id, show);
    else
        show(*attachment);
}

void AttachmentActions::save(int row, int i)
{
    const auto attachment = attachmentAt(row, i);
    if (!attachment)
        return;
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Save %1").arg(attachment->name),
                                                      QDir(folder).filePath(attachment->name));
    if (!path.isEmpty())
        saveTo(row, i, path);
}

void AttachmentActions::saveTo(int row, int i, const QString &path)
{
    const auto attachment = attachmentAt(row, i);
    if (!attachment)
        return;
    download(*attachment, m_view->model()->index(row, 0).data(MessageModel::IdRole).toLongLong(),
             path, false);
}

void AttachmentActions::download(const client::Attachment &attachment, qint64 messageId,
                                 const QString &path, bool retried)
{
    if (attachment.isExpired() && !retried) {
        refreshThen(messageId, attachment.id, [this, messageId, path](const client::Attachment &a) {
            download(a, messageId, path, true);
        });
        return;
    }
    // Written to a temporary file and renamed at the end: a cancelled or failed download
    // leaves no half file under the chosen name.
    auto file = std::make_unique<QSaveFile>(path);
    if (!file->open(QIODevice::WriteOnly)) {
        Q_EMIT status(tr("Cannot write %1: %2").arg(path, file->errorString()));
        Q_EMIT saved(path, false);
        return;
    }
    client::FileTransfer *transfer =
        m_session->files()->download(attachment.url, attachment.name, file.get());
    file->setParent(transfer);
    QSaveFile *sink = file.release();
    auto *progress =
        new QProgressDialog(tr("Saving %1…").arg(attachment.name), tr("Cancel"), 0, 1000, m_window);
    progress->setObjectName(QStringLiteral("saveProgress"));
    progress->setMinimumDuration(500);
    progress->setAutoReset(false);
    progress->setAutoClose(false);
    connect(progress, &QProgressDialog::canceled, transfer, &client::FileTransfer::cancel);
    connect(transfer, &client::FileTransfer::progress, progress,
            [progress, size = attachment.size](qint64 done, qint64 total) {
                const qint64 of = total > 0 ? total : size;
                if (of > 0)
                    progress->setValue(int(qMin<qint64>(done * 1000 / of, 1000)));
            });
    connect(transfer, &client::FileTransfer::finished, this,
            [this, transfer, sink, progress, attachment, messageId, path, retried] {
                progress->deleteLater();
                transfer->deleteLater();
                if (transfer->state() == client::FileTransfer::State::Done && sink->commit()) {
                    Q_EMIT status(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
                    Q_EMIT saved(path, true);
                    return;
                }
                sink->cancelWriting();
                if (transfer->isExpired() && !retried) {
                    refreshThen(messageId, attachment.id,
                                [this, messageId, path](const client::Attachment &a) {
                                    download(a, messageId, path, true);
                                });
                    return;
                }
                if (transfer->state() != client::FileTransfer::State::Cancelled)
                    Q_EMIT status(tr("%1 not saved: %2")
                                      .arg(attachment.name, transfer->error().isEmpty()
                                                                ? sink->errorString()
                                                                : transfer->error()));
                Q_EMIT saved(path, false);
            });
}

void AttachmentActions::refreshThen(qint64 messageId, const QString &fileId,
                                    std::function<void(const client::Attachment &)> then)
{
    QAbstractItemModel *model = m_view->model();
    if (!model || messageId <= 0)
        return;
    // Wait for the model to carry the message's attachments again, then go on once.
    auto connection = std::make_shared<QMetaObject::Connection>();
    auto timer = new QTimer(this);
    timer->setSingleShot(true);
    *connection = connect(
        model, &QAbstractItemModel::dataChanged, this,
        [this, model, messageId, fileId, then, connection, timer](const QModelIndex &topLeft,
                                                                  const QModelIndex &bottomRight) {
            for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
                const QModelIndex index = model->index(row, 0);
                if (index.data(MessageModel::IdRole).toLongLong() != messageId)
                    continue;
                for (const client::Attachment &a :
                     index.data(MessageModel::AttachmentsRole).value<QList<client::Attachment>>()) {
                    if (a.id != fileId || a.isExpired())
                        continue;
                    disconnect(*connection);
                    timer->deleteLater();
                    then(a);
                    return;
                }
            }
        });
    connect(timer, &QTimer::timeout, this, [this, connection, timer] {
        disconnect(*connection);
        timer->deleteLater();
        Q_EMIT status(tr("The link to the file expired and no fresh one came"));
    });
    timer->start(RefreshTimeoutMs);
    m_session->refreshAttachments(m_session->currentRoom(), messageId);
}

} // namespace chatter::ui

// SPDX-License-Identifier: MIT
#include "thumbnailcache.h"

#include "chatsession.h"
#include "fileclient.h"
#include "filetransfer.h"

namespace chatter::ui {

namespace {

//! 64 MiB of decoded thumbnails (a 320×320 ARGB one is 400 KiB).
constexpr int CacheKiB = 64 * 1024;

} // namespace

ThumbnailCache::ThumbnailCache(client::ChatSession *session, QObject *parent)
    : QObject(parent), m_session(session), m_pixmaps(CacheKiB)
{}

ThumbnailCache::~ThumbnailCache()
{
    // Transfers belong to the session's FileClient, which may already be gone.
    for (const QPointer<client::FileTransfer> &transfer : std::as_const(m_loading))
        delete transfer.data();
}

QPixmap ThumbnailCache::thumbnail(const client::Attachment &attachment, qint64 messageId)
{
    if (const QPixmap *cached = m_pixmaps.object(attachment.id))
        return *cached;
    if (attachment.thumbUrl.isEmpty() || m_loading.contains(attachment.id) ||
        m_failed.contains(attachment.thumbUrl))
        return {};
    if (attachment.isExpired()) {
        // A signature past its time is refused anyway: ask for the message's fresh URLs.
        m_failed.insert(attachment.thumbUrl);
        m_session->refreshAttachments(m_session->currentRoom(), messageId);
        return {};
    }
    client::FileTransfer *transfer =
        m_session->files()->download(attachment.thumbUrl, attachment.name);
    m_loading.insert(attachment.id, transfer);
    connect(transfer, &client::FileTransfer::finished, this,
            [this, id = attachment.id, url = attachment.thumbUrl, messageId, transfer] {
                fetched(id, url, messageId, transfer);
            });
    return {};
}

void ThumbnailCache::fetched(const QString &fileId, const QString &url, qint64 messageId,
                             client::FileTransfer *transfer)
{
    m_loading.remove(fileId);
    transfer->deleteLater();
    QPixmap pixmap;
    if (transfer->state() == client::FileTransfer::State::Done)
        pixmap.loadFromData(transfer->data());
    if (pixmap.isNull()) {
        m_failed.insert(url);
        if (transfer->isExpired())
            m_session->refreshAttachments(m_session->currentRoom(), messageId);
        return;
    }
    const int cost = qMax(1, int(qint64(pixmap.width()) * pixmap.height() * 4 / 1024));
    m_pixmaps.insert(fileId, new QPixmap(pixmap), cost);
    Q_EMIT thumbnailReady(fileId);
}

} // namespace chatter::ui

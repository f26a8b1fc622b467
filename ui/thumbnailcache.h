// SPDX-License-Identifier: MIT
#pragma once

#include "attachment.h"

#include <QCache>
#include <QHash>
#include <QObject>
#include <QPixmap>
#include <QPointer>
#include <QSet>

namespace chatter::client {
class ChatSession;
class FileTransfer;
} // namespace chatter::client

namespace chatter::ui {

//! Inline image thumbnails for the message view, fetched from their `thumb_url` through the
//! session's FileClient and kept in memory per file id (a file attached to several messages
//! is fetched once). An expired signed URL asks the session for the message again; the model
//! then carries a fresh one and the next paint fetches it. GUI thread only.
class ThumbnailCache : public QObject
{
    Q_OBJECT
public:
    explicit ThumbnailCache(client::ChatSession *session, QObject *parent = nullptr);
    ~ThumbnailCache() override;

    //! The thumbnail of `attachment` (an image of message `messageId` in the current room),
    //! or a null pixmap while it is being fetched (the fetch starts here) or could not be.
    QPixmap thumbnail(const client::Attachment &attachment, qint64 messageId);
    bool contains(const QString &fileId) const { return m_pixmaps.contains(fileId); }
    int loadingCount() const { return int(m_loading.size()); }

Q_SIGNALS:
    //! A thumbnail arrived: the rows showing it should be painted again.
    void thumbnailReady(const QString &fileId);

private:
    void fetched(const QString &fileId, const QString &url, qint64 messageId,
                 client::FileTransfer *transfer);

    client::ChatSession *m_session;
    //! Cost in KiB of decoded pixels; thumbnails are at most 320×320, so hundreds fit.
    QCache<QString, QPixmap> m_pixmaps;
    QHash<QString, QPointer<client::FileTransfer>> m_loading;
    //! URLs that failed: not asked again (a fresh URL after a refresh is a new chance).
    QSet<QString> m_failed;
};

} // namespace chatter::ui

// SPDX-License-Identifier: MIT
#pragma once

#include "certificatepins.h"

#include <QJsonObject>
#include <QObject>
#include <QUrl>

class QIODevice;
class QNetworkAccessManager;
class QNetworkRequest;
class QNetworkReply;

namespace chatter::client {

class FileTransfer;

//! The file HTTP API of one Chatter server (docs/files-and-search.md): uploads to
//! `POST /api/files` with the session's bearer token, downloads of signed `/files/…` URLs.
//! The server address and the certificate trust are ChatSession's: a wss:// server is
//! reached over https, and a certificate the user pinned for the socket is accepted here too
//! (CertificatePins::judge, as AccountClient does). GUI thread; transfers die with it.
class FileClient : public QObject
{
    Q_OBJECT
public:
    explicit FileClient(QObject *parent = nullptr);
    ~FileClient() override;

    //! `server` as ChatSession takes it (ws://host:port means http://host:port, wss https).
    void setServer(const QString &server);
    QUrl baseUrl() const { return m_base; }
    //! The session token uploads carry (`Authorization: Bearer`); empty for a bare guest,
    //! who cannot upload.
    void setToken(const QString &token) { m_token = token; }
    bool canUpload() const { return !m_token.isEmpty(); }
    void setCertificatePins(CertificatePins *pins) { m_pins = pins; }

    //! A URL of an attachment object (relative to the server) made absolute.
    QUrl resolve(const QString &url) const;

    //! Uploads the file at `path` (its name and, by its content, its type).
    FileTransfer *upload(const QString &path);
    //! Uploads bytes as a file named `name` of MIME type `type` (a pasted image).
    FileTransfer *upload(const QByteArray &data, const QString &name, const QString &type);
    //! Fetches a signed URL into memory (FileTransfer::data()), or into `sink` when given
    //! (an open file; not owned, must outlive the transfer).
    FileTransfer *download(const QString &url, const QString &name, QIODevice *sink = nullptr);

    //! One sentence for a refused request: 413 with the limit, 429 with the quota and when
    //! to retry, 401, 403, 404, else the server's `message`.
    static QString describeRefusal(int status, const QJsonObject &answer, int retryAfterSeconds);

private:
    QNetworkRequest uploadRequest(const QString &name, const QString &type, qint64 size) const;
    FileTransfer *startUpload(const QString &name);

    QNetworkAccessManager *m_network;
    QUrl m_base;
    QString m_token;
    CertificatePins *m_pins = nullptr;
};

} // namespace chatter::client

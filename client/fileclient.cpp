// SPDX-License-Identifier: MIT
#include "fileclient.h"

#include "accountclient.h"
#include "filetransfer.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QMimeDatabase>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace chatter::client {

namespace {

//! A stalled transfer ends after this long without a byte either way; big files are fine.
constexpr int TransferTimeoutMs = 60'000;

QString bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

FileClient::FileClient(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    m_network->setTransferTimeout(TransferTimeoutMs);
}

FileClient::~FileClient() = default;

void FileClient::setServer(const QString &server)
{
    m_base = AccountClient::baseUrlFor(server);
}

QUrl FileClient::resolve(const QString &url) const
{
    return m_base.resolved(QUrl(url));
}

QString FileClient::describeRefusal(int status, const QJsonObject &answer, int retryAfterSeconds)
{
    const QString message = answer.value(QLatin1String("message")).toString();
    const qint64 limit = qint64(answer.value(QLatin1String("limit")).toDouble());
    switch (status) {
    case 413:
        return limit > 0 ? tr("Too large: the server takes files up to %1").arg(bytesText(limit))
                         : tr("Too large for the server");
    case 429: {
        QString text = limit > 0 ? tr("Upload quota reached: %1 a day").arg(bytesText(limit))
                                 : tr("Upload quota reached");
        if (retryAfterSeconds > 0) {
            // No translations are loaded: spell the plural out rather than "hour(s)".
            const int hours = (retryAfterSeconds + 3599) / 3600;
            const int minutes = (retryAfterSeconds + 59) / 60;
            text += retryAfterSeconds >= 3600
                        ? (hours == 1 ? tr("; try again in an hour")
                                      : tr("; try again in %1 hours").arg(hours))
                        : (minutes == 1 ? tr("; try again in a minute")
                                        : tr("; try again in %1 minutes").arg(minutes));
        }
        return text;
    }
    case 401:
        return tr("Not signed in: the server did not accept the session (sign in again)");
    case 403:
        return answer.value(QLatin1String("error")).toString() == QLatin1String("expired")
                   ? tr("The link to the file has expired")
                   : tr("Not allowed to read the file");
    case 404:
        return tr("The file is gone from the server");
    default:
        return message.isEmpty() ? tr("The server answered HTTP %1").arg(status) : message;
    }
}

QNetworkRequest FileClient::uploadRequest(const QString &name, const QString &type,
                                          qint64 size) const
{
    QUrl url = m_base;
    url.setPath(QStringLiteral("/api/files"));
    // Every byte but the unreserved ones encoded: a name may hold '&', '+', '#' or '%'.
    url.setQuery(QStringLiteral("filename=") + QString::fromLatin1(QUrl::toPercentEncoding(name)));
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      type.isEmpty() ? QStringLiteral("application/octet-stream") : type);
    request.setHeader(QNetworkRequest::ContentLengthHeader, size);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    return request;
}

FileTransfer *FileClient::startUpload(const QString &name)
{
    auto *transfer = new FileTransfer(FileTransfer::Kind::Upload, name, this);
    if (!canUpload())
        transfer->fail(tr("Sending files needs a session: sign in, or enter as a guest"));
    return transfer;
}

FileTransfer *FileClient::upload(const QString &path)
{
    const QFileInfo info(path);
    FileTransfer *transfer = startUpload(info.fileName());
    if (!transfer->isRunning() || !canUpload())
        return transfer;
    auto *file = new QFile(path, transfer);
    if (!file->open(QIODevice::ReadOnly)) {
        transfer->fail(tr("Cannot read %1: %2").arg(info.fileName(), file->errorString()));
        return transfer;
    }
    const QString type = QMimeDatabase().mimeTypeForFile(info).name();
    QNetworkReply *reply =
        m_network->post(uploadRequest(info.fileName(), type, file->size()), file);
    CertificatePins::judgeReply(reply, m_pins, CertificatePins::hostPortOf(m_base, 443));
    transfer->start(reply);
    return transfer;
}

FileTransfer *FileClient::upload(const QByteArray &data, const QString &name, const QString &type)
{
    FileTransfer *transfer = startUpload(name);
    if (!canUpload())
        return transfer;
    QNetworkReply *reply = m_network->post(uploadRequest(name, type, data.size()), data);
    CertificatePins::judgeReply(reply, m_pins, CertificatePins::hostPortOf(m_base, 443));
    transfer->start(reply);
    return transfer;
}

FileTransfer *FileClient::download(const QString &url, const QString &name, QIODevice *sink)
{
    auto *transfer = new FileTransfer(FileTransfer::Kind::Download, name, this);
    QNetworkRequest request(resolve(url));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = m_network->get(request);
    CertificatePins::judgeReply(reply, m_pins, CertificatePins::hostPortOf(m_base, 443));
    transfer->start(reply, sink);
    return transfer;
}

} // namespace chatter::client

// SPDX-License-Identifier: MIT
#include "filetransfer.h"

#include "fileclient.h"

#include <QIODevice>
#include <QJsonDocument>
#include <QLocale>
#include <QNetworkReply>
#include <QTimer>

namespace chatter::client {

namespace {

//! The longest error answer read; the contract's are a line of JSON.
constexpr qint64 MaxErrorBytes = 16 * 1024;

} // namespace

FileTransfer::FileTransfer(Kind kind, QString name, QObject *parent)
    : QObject(parent), m_kind(kind), m_name(std::move(name))
{}

FileTransfer::~FileTransfer()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void FileTransfer::start(QNetworkReply *reply, QIODevice *sink)
{
    m_reply = reply;
    m_sink = sink;
    if (m_kind == Kind::Upload) {
        connect(reply, &QNetworkReply::uploadProgress, this, [this](qint64 done, qint64 total) {
            // Qt reports (0, 0) around the end of some uploads: not progress.
            if (!isRunning() || total <= 0 || (done == m_done && total == m_total))
                return;
            m_done = done;
            m_total = total;
            Q_EMIT progress(done, total);
        });
    } else {
        connect(reply, &QNetworkReply::readyRead, this, &FileTransfer::onReadyRead);
        connect(reply, &QNetworkReply::downloadProgress, this, [this](qint64, qint64 total) {
            if (total > 0 && isRunning())
                m_total = total;
        });
    }
    connect(reply, &QNetworkReply::finished, this, &FileTransfer::onFinished);
}

void FileTransfer::fail(const QString &error)
{
    m_error = error;
    // Later, so that whoever started it can connect to finished() first.
    QTimer::singleShot(0, this, [this] { finish(State::Failed); });
}

void FileTransfer::cancel()
{
    if (!isRunning())
        return;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
    finish(State::Cancelled);
}

void FileTransfer::onReadyRead()
{
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // Only a 200's body is the file; an error's JSON is read at the end.
    if (status != 200)
        return;
    const QByteArray chunk = m_reply->readAll();
    if (m_sink) {
        if (m_sink->write(chunk) != chunk.size()) {
            m_error = tr("could not write %1: %2").arg(m_name, m_sink->errorString());
            m_reply->disconnect(this);
            m_reply->abort();
            m_reply->deleteLater();
            finish(State::Failed);
            return;
        }
    } else {
        m_data.append(chunk);
    }
    m_done += chunk.size();
    Q_EMIT progress(m_done, m_total);
}

void FileTransfer::onFinished()
{
    QNetworkReply *reply = m_reply;
    reply->deleteLater();
    m_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (const auto untrusted = CertificatePins::untrustedOf(reply)) {
        m_error = tr("the certificate of %1 is not trusted").arg(untrusted->hostPort);
        finish(State::Failed);
        return;
    }
    if (m_status == 0) {
        m_error = reply->errorString();
        finish(State::Failed);
        return;
    }
    if (m_kind == Kind::Download && m_status == 200) {
        onReadyRead();
        if (isRunning())
            finish(State::Done);
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(reply->read(MaxErrorBytes)).object();
    if (m_kind == Kind::Upload && m_status == 201) {
        if (auto attachment = Attachment::fromJson(answer)) {
            m_attachment = *attachment;
            finish(State::Done);
            return;
        }
        m_error = tr("the server's answer is not an attachment");
        finish(State::Failed);
        return;
    }
    m_expired = m_status == 403 &&
                answer.value(QLatin1String("error")).toString() == QLatin1String("expired");
    m_error = FileClient::describeRefusal(m_status, answer,
                                          reply->rawHeader("Retry-After").trimmed().toInt());
    finish(State::Failed);
}

void FileTransfer::finish(State state)
{
    if (!isRunning())
        return;
    m_state = state;
    m_reply = nullptr;
    Q_EMIT finished();
}

} // namespace chatter::client

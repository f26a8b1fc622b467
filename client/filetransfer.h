// SPDX-License-Identifier: MIT
#pragma once

#include "attachment.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

class QIODevice;
class QNetworkReply;

namespace chatter::client {

//! One upload or download started by FileClient: its progress, its end (done, failed or
//! cancelled) and what it brought (an upload's attachment object, a download's bytes). Lives
//! on the GUI thread, like its client; the caller owns it (FileClient parents it to itself,
//! callers deleteLater() it when done with it).
class FileTransfer : public QObject
{
    Q_OBJECT
public:
    enum class Kind
    {
        Upload,
        Download
    };
    enum class State
    {
        Running,
        Done,
        Failed,
        Cancelled
    };
    Q_ENUM(State)

    FileTransfer(Kind kind, QString name, QObject *parent = nullptr);
    ~FileTransfer() override;

    Kind kind() const { return m_kind; }
    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    //! The file's name (an upload's given name, a download's attachment name).
    const QString &name() const { return m_name; }
    qint64 bytesDone() const { return m_done; }
    qint64 bytesTotal() const { return m_total; }
    //! The HTTP status; 0 before an answer or when there was none.
    int status() const { return m_status; }
    //! Why it failed, one sentence for the user (the server's `message` with what it means).
    const QString &error() const { return m_error; }
    //! A download refused with `403 expired`: the URL's signature ran out; ask for the
    //! message again (ChatSession::refreshAttachments) and retry with the fresh URL.
    bool isExpired() const { return m_expired; }
    //! What a finished upload stored.
    const Attachment &attachment() const { return m_attachment; }
    //! What a finished download into memory received.
    const QByteArray &data() const { return m_data; }

    //! Stops it; finished() follows with State::Cancelled. Nothing when already over.
    void cancel();

    // FileClient's side.
    void start(QNetworkReply *reply, QIODevice *sink = nullptr);
    void fail(const QString &error);

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    //! Once, at the end, whatever the state.
    void finished();

private:
    void onReadyRead();
    void onFinished();
    void finish(State state);

    Kind m_kind;
    QString m_name;
    State m_state = State::Running;
    qint64 m_done = 0;
    qint64 m_total = -1;
    int m_status = 0;
    QString m_error;
    bool m_expired = false;
    Attachment m_attachment;
    QByteArray m_data;
    QPointer<QNetworkReply> m_reply;
    //! Where a download's bytes go instead of m_data (a file being saved); not owned.
    QPointer<QIODevice> m_sink;
};

} // namespace chatter::client

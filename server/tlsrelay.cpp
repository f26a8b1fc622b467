// SPDX-License-Identifier: MIT
#include "tlsrelay.h"

#include "lingeringclose.h"
#include "logging.h"
#include "relaysocket.h"
#include "tlssession.h"

#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chatter::server {
namespace {

constexpr qsizetype ChunkSize = 16 * 1024;
//! How long a closing relay may take to send what Qt wrote last (a page, say).
constexpr int FinalFlushMs = 2000;

//! Reads what is waiting on a non-blocking descriptor; `ended` tells EOF or an error.
QByteArray readAvailable(int descriptor, bool *ended)
{
    QByteArray out;
    char buffer[ChunkSize];
    for (;;) {
        const ssize_t n = ::recv(descriptor, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            out.append(buffer, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (ended)
            *ended = !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
        return out;
    }
}

} // namespace

TlsRelay::TlsRelay(int descriptor, std::unique_ptr<TlsSession> session, const QByteArray &received,
                   Peer peer, int handshakeTimeoutMs, QObject *parent)
    : QObject(parent), m_descriptor(descriptor), m_session(std::move(session)),
      m_peer(std::move(peer))
{
    ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
    m_networkRead = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    connect(m_networkRead, &QSocketNotifier::activated, this, &TlsRelay::onNetworkReadable);
    // A client that never finishes its handshake must not hold a descriptor for ever.
    m_deadline.setParent(this);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] { finish(false); });
    m_deadline.start(handshakeTimeoutMs);
    m_session->feed(received.constData(), received.size());
    // Not from the constructor: whoever made the relay connects to decrypted() first.
    QMetaObject::invokeMethod(this, &TlsRelay::onNetworkReadable, Qt::QueuedConnection);
}

TlsRelay::~TlsRelay()
{
    if (m_pair >= 0)
        ::close(m_pair);
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

void TlsRelay::onNetworkReadable()
{
    if (m_finished || m_networkEnded)
        return;
    bool ended = false;
    const QByteArray input = readAvailable(m_descriptor, &ended);
    m_session->feed(input.constData(), input.size());
    if (!m_session->isHandshakeComplete()) {
        const auto done = m_session->handshake();
        sendOutput();
        if (!done) {
            qCInfo(lcNet).noquote()
                << "TLS handshake with" << m_peer.address.toString() << "failed:" << done.error();
            finish(false);
            return;
        }
        if (!*done) {
            if (ended)
                finish(false);
            return;
        }
        if (!startPlaintext())
            return;
    }
    decryptToQt();
    sendOutput(); // a read can produce records too (a key update's answer)
    if (ended)
        networkEnded();
}

bool TlsRelay::startPlaintext()
{
    m_deadline.stop();
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
        qCWarning(lcNet) << "cannot relay a TLS connection: socketpair:" << strerror(errno);
        finish(false);
        return false;
    }
    m_pair = pair[0];
    auto *socket = new RelaySocket(this, parent());
    if (!socket->adopt(pair[1], m_peer.address, m_peer.port, m_peer.localAddress,
                       m_peer.localPort)) {
        ::close(pair[1]);
        delete socket;
        finish(false);
        return false;
    }
    m_qtRead = new QSocketNotifier(m_pair, QSocketNotifier::Read, this);
    connect(m_qtRead, &QSocketNotifier::activated, this, &TlsRelay::onQtReadable);
    Q_EMIT decrypted(socket);
    return true;
}

void TlsRelay::decryptToQt()
{
    char buffer[ChunkSize];
    while (m_toQt.isEmpty()) {
        const qsizetype n = m_session->read(buffer, sizeof buffer);
        if (n > 0) {
            m_toQt.append(buffer, n);
            if (!writeToQt())
                break;
            continue;
        }
        if (n == qsizetype(TlsSession::ReadEnd::Closed)) {
            networkEnded();
        } else if (n == qsizetype(TlsSession::ReadEnd::Failed)) {
            qCInfo(lcNet).noquote()
                << "TLS error from" << m_peer.address.toString() << ":" << TlsSession::lastError();
            finish(false);
        }
        return;
    }
}

bool TlsRelay::writeToQt()
{
    while (!m_toQt.isEmpty() && m_pair >= 0) {
        const ssize_t n =
            ::send(m_pair, m_toQt.constData(), size_t(m_toQt.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            m_toQt.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // Qt is behind: stop reading the client until it catches up.
            m_networkRead->setEnabled(false);
            if (!m_qtWrite) {
                m_qtWrite = new QSocketNotifier(m_pair, QSocketNotifier::Write, this);
                connect(m_qtWrite, &QSocketNotifier::activated, this, &TlsRelay::onQtWritable);
            }
            m_qtWrite->setEnabled(true);
            return false;
        }
        qtEnded(); // Qt closed its end
        return false;
    }
    return true;
}

void TlsRelay::onQtWritable()
{
    if (!writeToQt())
        return;
    m_qtWrite->setEnabled(false);
    if (m_networkEnded) {
        ::shutdown(m_pair, SHUT_WR);
        return;
    }
    m_networkRead->setEnabled(true);
    decryptToQt();
    sendOutput();
}

void TlsRelay::onQtReadable()
{
    if (m_finished)
        return;
    bool ended = false;
    const QByteArray plain = readAvailable(m_pair, &ended);
    if (!plain.isEmpty()) {
        m_session->encrypt(plain.constData(), plain.size());
        sendOutput();
    }
    if (ended)
        qtEnded();
}

void TlsRelay::sendOutput()
{
    if (m_session->hasOutput())
        m_toNetwork += m_session->takeOutput();
    while (!m_toNetwork.isEmpty() && m_descriptor >= 0) {
        const ssize_t n = ::send(m_descriptor, m_toNetwork.constData(), size_t(m_toNetwork.size()),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            m_toNetwork.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // A slow reader: Qt's further output waits until the client catches up.
            if (m_qtRead)
                m_qtRead->setEnabled(false);
            if (!m_networkWrite) {
                m_networkWrite = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
                connect(m_networkWrite, &QSocketNotifier::activated, this,
                        &TlsRelay::onNetworkWritable);
            }
            m_networkWrite->setEnabled(true);
            return;
        }
        finish(false); // the client is gone
        return;
    }
    if (m_networkWrite)
        m_networkWrite->setEnabled(false);
    if (m_qtEnded) {
        finish(true);
        return;
    }
    if (m_qtRead)
        m_qtRead->setEnabled(true);
}

void TlsRelay::onNetworkWritable()
{
    sendOutput();
}

void TlsRelay::networkEnded()
{
    // The client closed (or sent close_notify): Qt sees the end once it has read the rest.
    if (m_networkEnded)
        return;
    m_networkEnded = true;
    m_networkRead->setEnabled(false);
    if (m_pair < 0) {
        finish(false);
        return;
    }
    if (m_toQt.isEmpty())
        ::shutdown(m_pair, SHUT_WR);
}

void TlsRelay::qtEnded()
{
    // Qt closed its end (a response with "connection: close", a refused handshake): what it
    // wrote goes out, then close_notify, then the connection closes.
    if (m_qtEnded)
        return;
    m_qtEnded = true;
    if (m_qtRead)
        m_qtRead->setEnabled(false);
    m_session->closeNotify();
    m_deadline.start(FinalFlushMs);
    sendOutput();
}

void TlsRelay::finish(bool graceful)
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    for (QSocketNotifier *notifier : {m_networkRead, m_networkWrite, m_qtRead, m_qtWrite}) {
        if (notifier)
            notifier->setEnabled(false);
    }
    if (m_pair >= 0) {
        ::close(m_pair); // Qt's end sees EOF and closes its socket
        m_pair = -1;
    }
    if (m_descriptor >= 0) {
        if (graceful)
            LingeringClose::start(m_descriptor, parent());
        else
            ::close(m_descriptor);
        m_descriptor = -1;
    }
    deleteLater();
}

TlsRelay::Handover TlsRelay::handOver(int qtDescriptor)
{
    Handover handover;
    if (m_finished)
        return handover;
    // Qt's 101 is in the pair (its socket was flushed): encrypted now, ahead of every frame.
    bool ended = false;
    const QByteArray answer = readAvailable(m_pair, &ended);
    m_session->encrypt(answer.constData(), answer.size());
    handover.plain = readAvailable(qtDescriptor, nullptr) + m_toQt;
    handover.pendingOutput = m_toNetwork + m_session->takeOutput();
    handover.session = std::move(m_session);
    handover.descriptor = std::exchange(m_descriptor, -1);
    m_toQt.clear();
    m_toNetwork.clear();
    finish(false); // closes only the pair now
    return handover;
}

} // namespace chatter::server

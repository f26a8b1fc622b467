// SPDX-License-Identifier: MIT
#pragma once

#include "requesthead.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

namespace chatter::server {

//! Follows the HTTP/1.1 requests on one connection as their bytes arrive, without keeping them:
//! where each head ends (at most `maxHead` bytes, else 431), how long its body is, from its
//! `Content-Length` (refused at once when over the route's limit: 413) or its chunks (cut as
//! soon as they add up to more). QHttpServer would otherwise buffer whatever a client declares,
//! and apply no head limit after the first request. Only the head being read is kept.
class RequestStream
{
public:
    //! The largest body a request may carry, decided from its head (by route).
    using BodyLimit = std::function<qint64(const RequestHead &head)>;

    RequestStream(qsizetype maxHead, BodyLimit bodyLimit);

    enum class Verdict
    {
        Fine,
        Invalid,      //!< 400: not HTTP/1.1 framing this server accepts
        HeadTooLarge, //!< 431
        BodyTooLarge  //!< 413
    };
    //! Takes the next bytes of the connection. After anything but Fine the stream is done.
    Verdict feed(QByteArrayView bytes);

    enum class Phase
    {
        Between, //!< no request under way
        Head,
        Body
    };
    Phase phase() const { return m_phase; }
    //! Requests received completely so far.
    quint64 completed() const { return m_completed; }
    //! The head of the request being received or last received.
    const RequestHead &head() const { return m_head; }

    static int httpStatus(Verdict verdict);

private:
    enum class Body
    {
        Length,    //!< m_remaining bytes of body
        ChunkSize, //!< reading a chunk-size line into m_line
        ChunkData, //!< m_remaining bytes of chunk data
        ChunkEnd,  //!< the CRLF after a chunk's data
        Trailer    //!< trailer lines until an empty one
    };
    Verdict headComplete();
    Verdict chunkSizeLine();
    void finishRequest();

    qsizetype m_maxHead;
    BodyLimit m_bodyLimit;
    Phase m_phase = Phase::Between;
    Body m_body = Body::Length;
    QByteArray m_buffer; //!< the head so far, or the chunk line or trailer line so far
    RequestHead m_head;
    qint64 m_remaining = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_limit = 0;
    qsizetype m_trailerBytes = 0;
    quint64 m_completed = 0;
};

} // namespace chatter::server

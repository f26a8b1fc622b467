// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace chatter::server {

//! Receives what a client's WebSocket frames amount to, in order.
class WebSocketReaderSink
{
public:
    virtual ~WebSocketReaderSink() = default;
    //! A complete (reassembled) data message; text is valid UTF-8. False stops the reader.
    virtual bool onMessage(QByteArrayView payload, bool binary) = 0;
    virtual bool onPing(QByteArrayView payload) = 0;
    virtual bool onPong() = 0;
    //! The client's close frame; `code` is 1005 when it carried none. The reader stops.
    virtual void onClose(quint16 code, QByteArrayView reason) = 0;
    //! The client broke RFC 6455 (1002), sent invalid UTF-8 (1007) or too big a message
    //! (1009): the connection must close with `code`. The reader stops.
    virtual void onProtocolError(quint16 code, const char *what) = 0;
};

//! Incremental RFC 6455 parser for client-to-server frames, on bytes as they come off the
//! socket. Complete frames are parsed (and unmasked) in the caller's buffer, so a read that
//! holds whole frames costs no copy; only an incomplete frame, or the fragments of a message
//! in progress, are kept here. Limits are checked on the frame header, before the payload
//! has arrived, so an oversized message is refused at once instead of being buffered.
class WebSocketReader
{
public:
    explicit WebSocketReader(qint64 maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) {}

    //! Consumes `size` received bytes, which may be unmasked in place. Returns false once the
    //! reader has stopped (close frame, protocol error, or the sink said so); further input is
    //! then ignored.
    bool feed(char *data, qsizetype size, WebSocketReaderSink &sink);

    bool isStopped() const { return m_stopped; }
    //! A fragmented message has begun and its final frame has not arrived.
    bool isMessageOpen() const { return m_messageOpcode != 0; }
    //! Bytes held for an incomplete frame or message.
    qsizetype bufferedBytes() const { return m_partial.size() + m_message.size(); }

private:
    qsizetype parse(char *data, qsizetype size, WebSocketReaderSink &sink);
    bool dispatch(int opcode, bool fin, QByteArrayView payload, WebSocketReaderSink &sink);
    bool deliver(int opcode, QByteArrayView payload, WebSocketReaderSink &sink);
    bool fail(quint16 code, const char *what, WebSocketReaderSink &sink);

    QByteArray m_partial; //!< the start of a frame whose rest has not arrived
    QByteArray m_message; //!< fragments of a message whose final frame has not arrived
    qint64 m_maxMessageBytes;
    quint8 m_messageOpcode = 0; //!< text or binary while a fragmented message is open
    bool m_stopped = false;
};

//! Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool isValidUtf8(QByteArrayView bytes);

} // namespace chatter::server

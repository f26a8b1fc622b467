// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QTcpSocket>

//! A WebSocket client written at the byte level, for what QWebSocket hides or refuses: reading
//! a close code Qt considers invalid (1012), or stopping reading altogether.
class RawWebSocket
{
public:
    //! Sends the upgrade request, and `early` in the same write right behind it; true when
    //! the answer is 101.
    //! `splitAt` > 0: the request goes in two writes, cut there, 50 ms apart.
    [[nodiscard]] bool open(quint16 port, const QByteArray &query, const QByteArray &early = {},
                            qsizetype splitAt = -1);
    //! The upgrade request open() sends for `query`.
    static QByteArray upgradeRequest(const QByteArray &query);
    //! A masked text frame (zero masking key, which RFC 6455 allows).
    void sendText(const QByteArray &payload);
    //! A masked frame of any kind, FIN set or not.
    void sendFrame(int opcode, const QByteArray &payload, bool fin = true);
    static QByteArray maskedFrame(int opcode, const QByteArray &payload, bool fin = true);

    struct ServerFrame
    {
        int opcode = -1; //!< -1: none within the time-out
        QByteArray payload;
    };
    //! The next frame from the server (opcode -1, with a warning, on time-out).
    [[nodiscard]] ServerFrame readFrame(int timeoutMs = 5000);
    //! Reads frames until a close frame; its code, or -1 (with a warning) on time-out or a
    //! dropped connection.
    [[nodiscard]] int waitForCloseCode(int timeoutMs = 5000);

    QTcpSocket &socket() { return m_socket; }

private:
    //! Takes one complete server frame from the buffer, if there is one.
    bool takeFrame(ServerFrame *frame);

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

// SPDX-License-Identifier: MIT
#pragma once

#include "enginesnapshot.h"
#include "listenurls.h"

#include <QDateTime>
#include <QFrame>
#include <QHostAddress>

#include <deque>

class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;

namespace chatter::monitor {

class QrCodeView;
class Sparkline;

//! The band at the top of the monitor: where clients connect (every LAN URL, and a QR code of
//! the one picked for phones), whether the server accepts connections (a switch), uptime,
//! totals and two traffic sparklines.
class HeaderPanel : public QFrame
{
    Q_OBJECT
public:
    explicit HeaderPanel(QWidget *parent = nullptr);

    //! `secure`: the port speaks TLS, so the URLs are https://.
    void setEndpoint(const QHostAddress &bindAddress, quint16 port, bool secure = false);
    //! The SHA-256 of the TLS certificate, for people to compare with what their client shows
    //! when it asks whether to trust it; empty hides it.
    void setTlsFingerprint(const QString &fingerprint);
    QString tlsFingerprintText() const;
    void setStartedAt(const QDateTime &startedAt);
    //! Reflects the engine's state without emitting listeningToggled().
    void setListening(bool listening);
    void showSnapshot(const server::EngineSnapshot &snapshot);

    Sparkline *connectionsChart() const { return m_connectionsChart; }
    Sparkline *messagesChart() const { return m_messagesChart; }
    QPushButton *listeningSwitch() const { return m_switch; }
    QString urlsText() const;
    //! The addresses the QR code can show, the first one selected (setEndpoint() lists the
    //! machine's; the selection is kept when its URL is still among them).
    void setJoinUrls(const QList<ListenUrl> &urls);
    QComboBox *joinUrlChoice() const { return m_joinUrlChoice; }
    QrCodeView *joinQrCode() const { return m_joinQrCode; }
    //! The web client's address the QR code shows.
    QString selectedJoinUrl() const;

Q_SIGNALS:
    void listeningToggled(bool listening);

protected:
    void changeEvent(QEvent *event) override;

private:
    QLabel *addTile(const QString &caption, int column);
    void updateUptime();
    void updateSwitchText();
    void applyBand();

    QLabel *m_urls = nullptr;
    QLabel *m_fingerprint = nullptr;
    QLabel *m_port = nullptr;
    QLabel *m_uptime = nullptr;
    QPushButton *m_switch = nullptr;
    QLabel *m_sockets = nullptr;
    QLabel *m_rooms = nullptr;
    QLabel *m_messagesIn = nullptr;
    QLabel *m_messagesOut = nullptr;
    QLabel *m_bytesIn = nullptr;
    QLabel *m_bytesOut = nullptr;
    QLabel *m_stored = nullptr;
    QLabel *m_refused = nullptr;
    QGridLayout *m_tiles = nullptr;
    Sparkline *m_connectionsChart = nullptr;
    Sparkline *m_messagesChart = nullptr;
    QStringList m_urlList;
    QComboBox *m_joinUrlChoice = nullptr;
    QrCodeView *m_joinQrCode = nullptr;
    void showUrls();
    QDateTime m_startedAt;
    //! Totals of the snapshots of about the last second, for rates: over one second a bursty
    //! chat reads as a rate, over one 250 ms refresh it reads as noise.
    struct Totals
    {
        qint64 atMs;
        qint64 messagesIn;
        qint64 messagesOut;
    };
    std::deque<Totals> m_recent;
    bool m_applyingBand = false;
};

} // namespace chatter::monitor

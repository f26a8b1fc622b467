// SPDX-License-Identifier: MIT
#include "headerpanel.h"

#include "listenurls.h"
#include "monitorpalette.h"
#include "qrcodeview.h"
#include "sparkline.h"
#include "textformat.h"

#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace chatter::monitor {

namespace {

QString bytesText(qint64 bytes)
{
    return TextFormat::bytes(bytes);
}

QString rateText(double perSecond, const QString &unit)
{
    return QStringLiteral("%1 %2").arg(TextFormat::rate(perSecond), unit);
}

} // namespace

HeaderPanel::HeaderPanel(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("monitorHeader"));
    setAutoFillBackground(true);
    applyBand();

    auto *title = new QLabel(tr("Chatter server"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.35);
    titleFont.setBold(true);
    title->setFont(titleFont);

    m_switch = new QPushButton(this);
    m_switch->setCheckable(true);
    m_switch->setChecked(true);
    m_switch->setToolTip(tr("Accept new connections. Open sockets stay connected either way."));
    connect(m_switch, &QPushButton::toggled, this, [this](bool on) {
        updateSwitchText();
        Q_EMIT listeningToggled(on);
    });
    updateSwitchText();

    m_port = new QLabel(this);
    m_uptime = new QLabel(this);
    m_uptime->setToolTip(tr("Time since the engine started"));

    auto *topRow = new QHBoxLayout;
    topRow->addWidget(title);
    topRow->addSpacing(16);
    topRow->addWidget(m_switch);
    topRow->addSpacing(12);
    topRow->addWidget(m_port);
    topRow->addStretch(1);
    topRow->addWidget(m_uptime);

    m_urls = new QLabel(this);
    m_urls->setTextFormat(Qt::RichText);
    m_urls->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_urls->setOpenExternalLinks(true);
    m_urls->setWordWrap(true);
    m_urls->setToolTip(
        tr("Type one of these into a browser, or the desktop client, on another machine"));

    m_fingerprint = new QLabel(this);
    m_fingerprint->setObjectName(QStringLiteral("tlsFingerprint"));
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fingerprint->setWordWrap(true);
    m_fingerprint->setToolTip(tr("Clients that do not know this server's certificate show this "
                                 "fingerprint when they ask whether to trust it"));
    m_fingerprint->hide();

    m_tiles = new QGridLayout;
    m_tiles->setHorizontalSpacing(22);
    m_tiles->setVerticalSpacing(0);
    m_sockets = addTile(tr("Sockets"), 0);
    m_rooms = addTile(tr("Rooms"), 1);
    m_messagesIn = addTile(tr("Messages in"), 2);
    m_messagesOut = addTile(tr("Messages out"), 3);
    m_bytesIn = addTile(tr("Bytes in"), 4);
    m_bytesOut = addTile(tr("Bytes out"), 5);
    m_stored = addTile(tr("Stored"), 6);
    m_refused = addTile(tr("Refused"), 7);
    m_refused->setObjectName(QStringLiteral("refusedTile"));
    m_refused->setToolTip(tr("Connections and long-poll sessions turned away by the connection "
                             "limits since start (the event log says from where)"));

    auto *left = new QVBoxLayout;
    left->setSpacing(6);
    left->addLayout(topRow);
    left->addWidget(m_urls);
    left->addWidget(m_fingerprint);
    left->addSpacing(4);
    left->addLayout(m_tiles);

    m_connectionsChart = new Sparkline(tr("Connections · 2 min"), Sparkline::Tone::Primary, this);
    m_messagesChart = new Sparkline(tr("Messages in/s · 2 min"), Sparkline::Tone::Secondary, this);
    auto *charts = new QVBoxLayout;
    charts->setSpacing(6);
    charts->addWidget(m_connectionsChart);
    charts->addWidget(m_messagesChart);

    // Phones join by scanning: the QR code of the web client's address on the interface picked
    // below it (the LAN's, not loopback, by default: listenUrls() puts loopback last).
    m_joinQrCode = new QrCodeView(this);
    m_joinQrCode->setObjectName(QStringLiteral("joinQrCode"));
    m_joinUrlChoice = new QComboBox(this);
    m_joinUrlChoice->setObjectName(QStringLiteral("joinUrlChoice"));
    m_joinUrlChoice->setAccessibleName(tr("Address for the QR code"));
    m_joinUrlChoice->setToolTip(tr("The interface whose address the QR code shows"));
    m_joinUrlChoice->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_joinUrlChoice, &QComboBox::currentIndexChanged, this,
            [this] { m_joinQrCode->setText(selectedJoinUrl()); });
    auto *scanCaption = new QLabel(tr("Scan to join"), this);
    scanCaption->setForegroundRole(QPalette::PlaceholderText);
    auto *join = new QVBoxLayout;
    join->setSpacing(4);
    join->addWidget(scanCaption, 0, Qt::AlignHCenter);
    join->addWidget(m_joinQrCode, 0, Qt::AlignHCenter);
    join->addWidget(m_joinUrlChoice, 0, Qt::AlignHCenter);
    join->addStretch(1);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(18);
    layout->addLayout(left, 3);
    layout->addLayout(charts, 2);
    layout->addLayout(join, 0);
}

QLabel *HeaderPanel::addTile(const QString &caption, int column)
{
    auto *captionLabel = new QLabel(caption, this);
    captionLabel->setForegroundRole(QPalette::PlaceholderText);
    auto *value = new QLabel(QStringLiteral("0"), this);
    QFont big = value->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    value->setFont(big);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tiles->addWidget(captionLabel, 0, column);
    m_tiles->addWidget(value, 1, column);
    m_tiles->setColumnStretch(column, 0);
    m_tiles->setColumnStretch(column + 1, 1);
    return value;
}

void HeaderPanel::setEndpoint(const QHostAddress &bindAddress, quint16 port, bool secure)
{
    m_port->setText(secure ? tr("Port <b>%1</b> (TLS)").arg(port) : tr("Port <b>%1</b>").arg(port));
    const QList<ListenUrl> endpoints = listenEndpoints(bindAddress, port, secure);
    m_urlList.clear();
    for (const ListenUrl &endpoint : endpoints)
        m_urlList.append(endpoint.url);
    showUrls();
    setJoinUrls(endpoints);
}

void HeaderPanel::setJoinUrls(const QList<ListenUrl> &urls)
{
    const QString kept = selectedJoinUrl();
    {
        const QSignalBlocker blocker(m_joinUrlChoice);
        m_joinUrlChoice->clear();
        for (const ListenUrl &endpoint : urls) {
            m_joinUrlChoice->addItem(
                endpoint.interfaceName.isEmpty()
                    ? endpoint.url
                    : QStringLiteral("%1 · %2").arg(endpoint.interfaceName, endpoint.url),
                endpoint.url);
        }
        const int keptAt = m_joinUrlChoice->findData(kept);
        m_joinUrlChoice->setCurrentIndex(keptAt >= 0 ? keptAt : 0);
    }
    m_joinQrCode->setText(selectedJoinUrl());
}

QString HeaderPanel::selectedJoinUrl() const
{
    return m_joinUrlChoice->currentData().toString();
}

void HeaderPanel::setTlsFingerprint(const QString &fingerprint)
{
    m_fingerprint->setText(tr("Certificate SHA-256: %1").arg(fingerprint));
    m_fingerprint->setVisible(!fingerprint.isEmpty());
}

QString HeaderPanel::tlsFingerprintText() const
{
    return m_fingerprint->isVisibleTo(this) ? m_fingerprint->text() : QString();
}

void HeaderPanel::showUrls()
{
    if (m_urlList.isEmpty())
        return;
    QStringList links;
    for (const QString &url : std::as_const(m_urlList))
        links.append(QStringLiteral("<a href=\"%1\">%1</a>").arg(url.toHtmlEscaped()));
    m_urls->clear(); // setText() with the same text would keep the old layout
    m_urls->setText(tr("Connect at") + QStringLiteral("&nbsp;&nbsp;") +
                    links.join(QStringLiteral("&nbsp;&nbsp;·&nbsp;&nbsp;")));
}

QString HeaderPanel::urlsText() const
{
    return m_urlList.join(QLatin1Char(' '));
}

void HeaderPanel::setStartedAt(const QDateTime &startedAt)
{
    m_startedAt = startedAt;
    updateUptime();
}

void HeaderPanel::setListening(bool listening)
{
    if (m_switch->isChecked() == listening)
        return;
    const QSignalBlocker blocker(m_switch);
    m_switch->setChecked(listening);
    updateSwitchText();
}

void HeaderPanel::updateSwitchText()
{
    m_switch->setText(m_switch->isChecked() ? tr("● Accepting connections")
                                            : tr("○ Not accepting"));
}

void HeaderPanel::updateUptime()
{
    if (!m_startedAt.isValid()) {
        m_uptime->clear();
        return;
    }
    qint64 seconds = std::max<qint64>(0, m_startedAt.secsTo(QDateTime::currentDateTimeUtc()));
    const qint64 days = seconds / 86400;
    seconds %= 86400;
    const QString clock = QStringLiteral("%1:%2:%3")
                              .arg(seconds / 3600, 2, 10, QLatin1Char('0'))
                              .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
                              .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    m_uptime->setText(tr("Up %1").arg(days > 0 ? tr("%1 d %2").arg(days).arg(clock) : clock));
}

void HeaderPanel::showSnapshot(const server::EngineSnapshot &snapshot)
{
    const QLocale locale;
    int activeRooms = 0;
    for (const server::RoomRow &room : snapshot.rooms)
        activeRooms += room.members > 0 ? 1 : 0;
    m_sockets->setText(locale.toString(snapshot.sockets.size()));
    m_rooms->setText(locale.toString(activeRooms));
    m_rooms->setToolTip(
        tr("%1 rooms with members, %2 known").arg(activeRooms).arg(snapshot.rooms.size()));
    m_messagesIn->setText(locale.toString(snapshot.messagesIn));
    m_messagesOut->setText(locale.toString(snapshot.messagesOut));
    m_bytesIn->setText(bytesText(snapshot.bytesIn));
    m_bytesOut->setText(bytesText(snapshot.bytesOut));
    m_stored->setText(locale.toString(snapshot.storedMessages));
    m_refused->setText(locale.toString(snapshot.refusedConnections));
    updateUptime();

    m_connectionsChart->addSample(double(snapshot.sockets.size()));
    m_connectionsChart->setValueText(locale.toString(snapshot.sockets.size()));
    // Rates come from the difference of totals between snapshots, so they cost nothing on the
    // message path.
    const qint64 nowMs = snapshot.takenAt.toMSecsSinceEpoch();
    while (m_recent.size() > 1 && nowMs - m_recent[1].atMs >= 1000)
        m_recent.pop_front();
    if (!m_recent.empty() && nowMs > m_recent.front().atMs) {
        const Totals &then = m_recent.front();
        const double seconds = double(nowMs - then.atMs) / 1000.0;
        const double in = std::max(0.0, double(snapshot.messagesIn - then.messagesIn) / seconds);
        const double out = std::max(0.0, double(snapshot.messagesOut - then.messagesOut) / seconds);
        m_messagesChart->addSample(in);
        m_messagesChart->setValueText(rateText(in, tr("/s")));
        m_messagesChart->setToolTip(
            tr("In: %1  Out: %2").arg(rateText(in, tr("msg/s")), rateText(out, tr("msg/s"))));
    }
    m_recent.push_back({nowMs, snapshot.messagesIn, snapshot.messagesOut});
}

void HeaderPanel::changeEvent(QEvent *event)
{
    // A desktop theme switch arrives as a palette change; the band colour follows it.
    if ((event->type() == QEvent::PaletteChange ||
         event->type() == QEvent::ApplicationPaletteChange) &&
        !m_applyingBand) {
        applyBand();
        // A label's rich text keeps the link colour it was laid out with; lay it out again.
        showUrls();
    }
    QFrame::changeEvent(event);
}

void HeaderPanel::applyBand()
{
    m_applyingBand = true;
    QPalette pal = palette();
    pal.setColor(QPalette::Window, MonitorPalette::band(QPalette()));
    setPalette(pal);
    m_applyingBand = false;
}

} // namespace chatter::monitor

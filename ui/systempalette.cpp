// SPDX-License-Identifier: MIT
#include "systempalette.h"

#include <QApplication>
#include <QStyle>

#if CHATTER_HAVE_QTDBUS
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#endif

namespace chatter::ui {

namespace {

#if CHATTER_HAVE_QTDBUS
const QString PortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString PortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString PortalSettings = QStringLiteral("org.freedesktop.portal.Settings");
const QString AppearanceNamespace = QStringLiteral("org.freedesktop.appearance");
const QString ColorSchemeKey = QStringLiteral("color-scheme");

//! Settings.Read answers a variant inside a variant (the portal's documented quirk), ReadOne
//! and SettingChanged a plain one: unwrap whatever nesting arrives.
std::optional<uint> schemeFrom(QVariant value)
{
    while (value.metaType() == QMetaType::fromType<QDBusVariant>())
        value = value.value<QDBusVariant>().variant();
    bool ok = false;
    const uint scheme = value.toUInt(&ok);
    if (!ok)
        return std::nullopt;
    return scheme;
}
#endif

} // namespace

bool SystemPalette::isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

bool SystemPalette::chooseDark(Appearance appearance, std::optional<uint> portalScheme,
                               const QPalette &platform)
{
    switch (appearance) {
    case Appearance::Light:
        return false;
    case Appearance::Dark:
        return true;
    case Appearance::System:
        break;
    }
    if (portalScheme == PreferDark)
        return true;
    if (portalScheme == PreferLight)
        return false;
    // No portal, or a desktop without a preference: the theme's own palette says it.
    return isDarkPalette(platform);
}

QPalette SystemPalette::darkPalette()
{
    // The browser client's dark colours (resources/web/app.css), so both clients look alike.
    const QColor window(0x14, 0x16, 0x1b);
    const QColor base(0x1a, 0x1c, 0x22);
    const QColor raised(0x23, 0x26, 0x2e);
    const QColor text(0xe4, 0xe7, 0xee);
    const QColor muted(0x91, 0x99, 0xa8);
    QPalette p(text, raised, raised.lighter(130), window, raised.darker(120), text, text, base,
               window);
    p.setColor(QPalette::AlternateBase, raised);
    p.setColor(QPalette::Highlight, QColor(0x3b, 0x6f, 0xd8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x93, 0xb3, 0xf5));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x9d, 0xf5));
    p.setColor(QPalette::PlaceholderText, muted);
    p.setColor(QPalette::ToolTipBase, raised);
    p.setColor(QPalette::ToolTipText, text);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, muted.darker(130));
    return p;
}

QPalette SystemPalette::lightPalette()
{
    const QColor window(0xf5, 0xf6, 0xf9);
    const QColor text(0x1c, 0x22, 0x30);
    QPalette p(text, QColor(0xec, 0xee, 0xf3), Qt::white, QColor(0xc9, 0xcd, 0xd6), window, text,
               text, Qt::white, window);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Highlight, QColor(0x3b, 0x6f, 0xd8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x28, 0x56, 0xb5));
    p.setColor(QPalette::PlaceholderText, QColor(0x5f, 0x67, 0x77));
    p.setColor(QPalette::ToolTipBase, Qt::white);
    p.setColor(QPalette::ToolTipText, text);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x8a, 0x90, 0x9c));
    return p;
}

SystemPalette *SystemPalette::instance()
{
    static SystemPalette *palette = new SystemPalette(qApp);
    return palette;
}

SystemPalette::SystemPalette(QObject *parent) : QObject(parent) {}

void SystemPalette::followSystem()
{
    if (m_following)
        return;
    m_following = true;
    m_platformPalette = QApplication::palette();
    m_platformStyle = QApplication::style() ? QApplication::style()->name() : QString();
    apply();
    readPortal();
}

void SystemPalette::setAppearance(Appearance appearance)
{
    m_appearance = appearance;
    if (m_following)
        apply();
}

void SystemPalette::setPortalScheme(std::optional<uint> scheme)
{
    m_portalScheme = scheme;
    apply();
}

void SystemPalette::apply()
{
    const bool dark = chooseDark(m_appearance, m_portalScheme, m_platformPalette);
    if (dark == isDarkPalette(m_platformPalette)) {
        // The theme already has the right brightness: its own colours, untouched.
        if (m_replaced) {
            QApplication::setStyle(m_platformStyle);
            QApplication::setPalette(m_platformPalette);
            m_replaced = false;
        }
    } else {
        // Native styles (GTK's, Windows') may draw their own colours over a palette; Fusion
        // draws with the palette alone.
        QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(dark ? darkPalette() : lightPalette());
        m_replaced = true;
    }
    if (dark != m_dark) {
        m_dark = dark;
        Q_EMIT darkChanged(dark);
    }
}

void SystemPalette::readPortal()
{
#if CHATTER_HAVE_QTDBUS
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return;
    QDBusMessage read = QDBusMessage::createMethodCall(PortalService, PortalPath, PortalSettings,
                                                       QStringLiteral("Read"));
    read << AppearanceNamespace << ColorSchemeKey;
    // Asynchronous: a desktop without a portal must not hold the window back for the D-Bus
    // timeout.
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(read), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this](QDBusPendingCallWatcher *call) {
                call->deleteLater();
                const QDBusMessage reply = call->reply();
                if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
                    return; // no portal: the platform palette decides
                setPortalScheme(schemeFrom(reply.arguments().constFirst()));
                // Changes from now on. QtDBus connects signals by signature only, hence the
                // one string-based connect. It is made once the portal has answered: made
                // as the connection opened, it failed with Qt 6.4 (tst_systempalette).
                // clang-format off
                if (!QDBusConnection::sessionBus().connect(
                        PortalService, PortalPath, PortalSettings,
                        QStringLiteral("SettingChanged"), this,
                        SLOT(onPortalSettingChanged(QString,QString,QDBusVariant))))
                    qWarning("chatter: cannot follow the appearance portal's changes");
                // clang-format on
            });
#endif
}

#if CHATTER_HAVE_QTDBUS
void SystemPalette::onPortalSettingChanged(const QString &ns, const QString &key,
                                           const QDBusVariant &value)
{
    if (ns == AppearanceNamespace && key == ColorSchemeKey)
        setPortalScheme(schemeFrom(QVariant::fromValue(value)));
}
#endif

} // namespace chatter::ui

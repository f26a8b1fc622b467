// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QPalette>
#include <QString>

#include <optional>

#if CHATTER_HAVE_QTDBUS
#include <QDBusVariant>
#endif

namespace chatter::ui {

//! Light or dark, as the user asked in Preferences.
enum class Appearance
{
    System, //!< follow the desktop (the appearance portal, else the platform palette)
    Light,
    Dark
};

//! Keeps the application's palette light or dark as the desktop says. Qt 6.4 has no
//! QStyleHints::colorScheme, and its GNOME integration keeps a light palette under a dark
//! desktop; so on Linux the freedesktop appearance portal (`org.freedesktop.appearance
//! color-scheme`, read over D-Bus when QtDBus was there at build time) decides, and the
//! platform palette where no portal answers. Lives on the GUI thread; one per application.
class SystemPalette : public QObject
{
    Q_OBJECT
public:
    //! The portal's `color-scheme`: 0 no preference, 1 prefer dark, 2 prefer light.
    enum PortalScheme : uint
    {
        NoPreference = 0,
        PreferDark = 1,
        PreferLight = 2
    };

    //! The decision itself, from its inputs alone: the user's choice wins, then the portal's
    //! preference, then whether the platform palette already paints light text on dark.
    static bool chooseDark(Appearance appearance, std::optional<uint> portalScheme,
                           const QPalette &platform);
    //! Whether `palette` paints light text on a dark window.
    static bool isDarkPalette(const QPalette &palette);
    //! The palettes used when the platform's own is the wrong brightness (Fusion's roles).
    static QPalette darkPalette();
    static QPalette lightPalette();

    //! The application's instance (made on first use, parented to qApp).
    static SystemPalette *instance();

    //! Starts following the desktop: asks the portal (asynchronously; the platform palette
    //! stands until it answers) and listens for its changes. Until this is called the
    //! application palette is left alone, which keeps tests independent of the desktop.
    void followSystem();
    //! The Preferences choice; applied at once when following the system.
    void setAppearance(Appearance appearance);
    Appearance appearance() const { return m_appearance; }
    //! What the portal said last, if it answered.
    std::optional<uint> portalScheme() const { return m_portalScheme; }
    bool isDark() const { return m_dark; }

Q_SIGNALS:
    void darkChanged(bool dark);

#if CHATTER_HAVE_QTDBUS
public Q_SLOTS:
    //! The portal's SettingChanged signal (QtDBus connects only public slots).
    void onPortalSettingChanged(const QString &ns, const QString &key, const QDBusVariant &value);
#endif

private:
    explicit SystemPalette(QObject *parent);
    void setPortalScheme(std::optional<uint> scheme);
    void apply();
    void readPortal();

    Appearance m_appearance = Appearance::System;
    std::optional<uint> m_portalScheme;
    //! The platform's palette and style as the application started, restored when they fit.
    QPalette m_platformPalette;
    QString m_platformStyle;
    bool m_following = false;
    bool m_dark = false;
    bool m_replaced = false;
};

} // namespace chatter::ui

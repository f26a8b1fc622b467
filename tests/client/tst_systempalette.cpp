// SPDX-License-Identifier: MIT
// Light or dark: the decision from its inputs, the palette it puts on the application, and
// the freedesktop appearance portal over a private D-Bus (a portal of the test's own on a
// second connection answering org.freedesktop.portal.Settings as xdg-desktop-portal does).
// Each case that follows the system runs in a process of its own (see CMakeLists.txt): the
// palette is application-wide.
#include "messageformatter.h"
#include "preferences.h"
#include "systempalette.h"

#include <QComboBox>
#include <QStandardPaths>

#include <QApplication>
#include <QDBusConnection>
#include <QDBusVariant>
#include <QSignalSpy>
#include <QStyle>
#include <QTest>

using namespace chatter::ui;

namespace {

QPalette lightPlatform()
{
    return SystemPalette::lightPalette();
}

QPalette darkPlatform()
{
    return SystemPalette::darkPalette();
}

} // namespace

//! org.freedesktop.portal.Settings as far as the appearance goes.
class FakePortal : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")
public:
    uint scheme = SystemPalette::PreferDark;
    int reads = 0;

public Q_SLOTS:
    QDBusVariant Read(const QString &ns, const QString &key)
    {
        ++reads;
        if (ns != QLatin1String("org.freedesktop.appearance") ||
            key != QLatin1String("color-scheme"))
            return QDBusVariant(QVariant(QString()));
        // As the real portal's Read: the value in one more variant.
        return QDBusVariant(QVariant::fromValue(QDBusVariant(QVariant(scheme))));
    }

Q_SIGNALS:
    void SettingChanged(const QString &ns, const QString &key, const QDBusVariant &value);
};

class tst_SystemPalette : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void chooseDark_data();
    void chooseDark();
    void preferencesKeepTheChoice();
    void followsTheUsersChoice();
    void followsThePortal();
};

void tst_SystemPalette::chooseDark_data()
{
    QTest::addColumn<Appearance>("appearance");
    QTest::addColumn<int>("portal"); // -1: no portal answered
    QTest::addColumn<QPalette>("platform");
    QTest::addColumn<bool>("dark");
    const int none = -1;
    const int noPreference = SystemPalette::NoPreference;
    const int preferDark = SystemPalette::PreferDark;
    const int preferLight = SystemPalette::PreferLight;
    QTest::newRow("portal dark over a light theme")
        << Appearance::System << preferDark << lightPlatform() << true;
    QTest::newRow("portal light over a dark theme")
        << Appearance::System << preferLight << darkPlatform() << false;
    QTest::newRow("no portal, dark theme") << Appearance::System << none << darkPlatform() << true;
    QTest::newRow("no portal, light theme")
        << Appearance::System << none << lightPlatform() << false;
    QTest::newRow("portal without preference, dark theme")
        << Appearance::System << noPreference << darkPlatform() << true;
    QTest::newRow("portal without preference, light theme")
        << Appearance::System << noPreference << lightPlatform() << false;
    QTest::newRow("user says light, portal dark")
        << Appearance::Light << preferDark << darkPlatform() << false;
    QTest::newRow("user says dark, portal light")
        << Appearance::Dark << preferLight << lightPlatform() << true;
    QTest::newRow("unknown portal value: the theme")
        << Appearance::System << 7 << darkPlatform() << true;
}

void tst_SystemPalette::chooseDark()
{
    QFETCH(Appearance, appearance);
    QFETCH(int, portal);
    QFETCH(QPalette, platform);
    QFETCH(bool, dark);
    const std::optional<uint> scheme =
        portal < 0 ? std::nullopt : std::optional<uint>(uint(portal));
    QCOMPARE(SystemPalette::chooseDark(appearance, scheme, platform), dark);
}

void tst_SystemPalette::preferencesKeepTheChoice()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("chatter-tests"));
    Preferences preferences = Preferences::load();
    QCOMPARE(PreferencesDialog(preferences).preferences().appearance, preferences.appearance);
    for (const Appearance appearance : {Appearance::Dark, Appearance::Light, Appearance::System}) {
        preferences.appearance = appearance;
        preferences.save();
        QCOMPARE(Preferences::load().appearance, appearance);
        // The dialog shows the stored choice and gives back what is picked.
        PreferencesDialog dialog(Preferences::load());
        auto *choice = dialog.findChild<QComboBox *>(QStringLiteral("appearanceChoice"));
        QVERIFY(choice);
        QCOMPARE(choice->currentData().toInt(), int(appearance));
        choice->setCurrentIndex(choice->findData(int(Appearance::Dark)));
        QCOMPARE(dialog.preferences().appearance, Appearance::Dark);
    }
}

void tst_SystemPalette::followsTheUsersChoice()
{
    // No D-Bus here (CMakeLists.txt): the platform palette and the user's choice decide.
    QApplication::setPalette(lightPlatform());
    const QPalette platform = QApplication::palette();
    SystemPalette *system = SystemPalette::instance();
    QSignalSpy changed(system, &SystemPalette::darkChanged);
    system->setAppearance(Appearance::Dark);
    QVERIFY(!SystemPalette::isDarkPalette(QApplication::palette())); // not following yet
    system->followSystem();
    QVERIFY(system->isDark());
    QVERIFY(SystemPalette::isDarkPalette(QApplication::palette()));
    QVERIFY(MessageFormatter::isDark(QApplication::palette()));
    QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
    QCOMPARE(changed.size(), 1);
    // Text reads on the dark base at AA.
    const QPalette dark = QApplication::palette();
    QVERIFY(MessageFormatter::contrast(dark.color(QPalette::Text), dark.color(QPalette::Base)) >=
            4.5);
    QVERIFY(MessageFormatter::contrast(dark.color(QPalette::PlaceholderText),
                                       dark.color(QPalette::Base)) >= 4.5);
    // Back to the desktop's: its own palette again.
    system->setAppearance(Appearance::System);
    QVERIFY(!system->isDark());
    QCOMPARE(QApplication::palette().color(QPalette::Base), platform.color(QPalette::Base));
    QCOMPARE(QApplication::palette().color(QPalette::Text), platform.color(QPalette::Text));
    QCOMPARE(changed.size(), 2);
}

void tst_SystemPalette::followsThePortal()
{
    QDBusConnection portalBus =
        QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("fake-portal"));
    QVERIFY2(portalBus.isConnected(), "no D-Bus session bus: run under dbus-run-session");
    FakePortal portal;
    QVERIFY(portalBus.registerObject(QStringLiteral("/org/freedesktop/portal/desktop"), &portal,
                                     QDBusConnection::ExportAllSlots |
                                         QDBusConnection::ExportAllSignals));
    QVERIFY(portalBus.registerService(QStringLiteral("org.freedesktop.portal.Desktop")));

    // A light theme under a desktop that prefers dark (GNOME with Qt 6.4's own palette).
    QApplication::setPalette(lightPlatform());
    SystemPalette *system = SystemPalette::instance();
    system->followSystem();
    QTRY_VERIFY(system->portalScheme().has_value());
    QCOMPARE(*system->portalScheme(), uint(SystemPalette::PreferDark));
    QVERIFY(portal.reads >= 1);
    QVERIFY(SystemPalette::isDarkPalette(QApplication::palette()));

    // The desktop switches to light: the palette follows.
    Q_EMIT portal.SettingChanged(QStringLiteral("org.freedesktop.appearance"),
                                 QStringLiteral("color-scheme"),
                                 QDBusVariant(QVariant(uint(SystemPalette::PreferLight))));
    QTRY_VERIFY(!system->isDark());
    QVERIFY(!SystemPalette::isDarkPalette(QApplication::palette()));
    // Other settings change nothing.
    Q_EMIT portal.SettingChanged(QStringLiteral("org.gnome.desktop.interface"),
                                 QStringLiteral("color-scheme"),
                                 QDBusVariant(QVariant(uint(SystemPalette::PreferDark))));
    Q_EMIT portal.SettingChanged(QStringLiteral("org.freedesktop.appearance"),
                                 QStringLiteral("color-scheme"),
                                 QDBusVariant(QVariant(uint(SystemPalette::PreferDark))));
    QTRY_VERIFY(system->isDark());
    QCOMPARE(*system->portalScheme(), uint(SystemPalette::PreferDark));
    // The user's choice in Preferences wins over the desktop's.
    system->setAppearance(Appearance::Light);
    QVERIFY(!SystemPalette::isDarkPalette(QApplication::palette()));
}

QTEST_MAIN(tst_SystemPalette)
#include "tst_systempalette.moc"

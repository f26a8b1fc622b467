// SPDX-License-Identifier: MIT
// The desktop client's identity widgets, offscreen, against the real engine over loopback: the
// connect dialog's modes and the server's refusals, sign-in that keeps the token, sign-out,
// a resumed and an expired session, member marks, the admin menu and the settings dialog.
#include "accounttestutil.h"
#include "adminchannel.h"
#include "bandialog.h"
#include "changepassworddialog.h"
#include "chatsession.h"
#include "connectdialog.h"
#include "mainwindow.h"
#include "memberdelegate.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "preferences.h"
#include "servertestutil.h"
#include "tokenstore.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QTimer>

using namespace chatter;
using namespace chatter::ui;

namespace {

const QString Password = QStringLiteral("correct horse battery");

//! Hands the next modal dialog to `act` once it is up; `act` closes it (or lets it close).
//! Watches until the returned handle is dropped, so no watcher outlives its test's variables.
[[nodiscard]] std::unique_ptr<QTimer> onNextModal(std::function<void(QWidget *)> act)
{
    auto timer = std::make_unique<QTimer>();
    timer->setInterval(20);
    QTimer *raw = timer.get();
    QObject::connect(raw, &QTimer::timeout, raw, [raw, act] {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            raw->stop();
            act(modal);
        }
    });
    timer->start();
    return timer;
}

void fill(ConnectDialog *dialog, const QString &server, ConnectDialog::Mode mode,
          const QString &nick, const QString &password = {})
{
    dialog->findChild<QLineEdit *>("serverEdit")->setText(server);
    dialog->setMode(mode);
    dialog->findChild<QLineEdit *>("nicknameEdit")->setText(nick);
    dialog->findChild<QLineEdit *>("passwordEdit")->setText(password);
    dialog->findChild<QLineEdit *>("confirmEdit")->setText(password);
}

//! Fills `dialog`, presses OK and waits for the server: true when the dialog accepted.
bool submit(ConnectDialog &dialog, const QString &server, ConnectDialog::Mode mode,
            const QString &nick, const QString &password = {})
{
    fill(&dialog, server, mode, nick, password);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QSignalSpy failed(&dialog, &ConnectDialog::failed);
    dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    (void)QTest::qWaitFor([&] { return !accepted.isEmpty() || !failed.isEmpty(); }, 15000);
    return !accepted.isEmpty();
}

//! The delegate's text for a row, as a view would paint it.
class ProbeDelegate : public MemberDelegate
{
public:
    using MemberDelegate::MemberDelegate;
    QString textFor(const QModelIndex &index) const
    {
        QStyleOptionViewItem option;
        initStyleOption(&option, index);
        return option.text;
    }
};

QJsonObject presence(const QList<QPair<QString, QString>> &nickRoles)
{
    QJsonObject state;
    for (const auto &[nick, role] : nickRoles) {
        QJsonObject meta{{"client", "desktop"}};
        if (!role.isEmpty())
            meta.insert("role", role);
        state.insert(nick, QJsonObject{{"metas", QJsonArray{meta}}});
    }
    return state;
}

QModelIndex rowOf(const client::MemberModel *members, const QString &nick)
{
    for (int row = 0; members && row < members->rowCount(); ++row) {
        if (members->index(row).data(client::MemberModel::NickRole).toString() == nick)
            return members->index(row);
    }
    return {};
}

//! A window signed in as `nick` (with `password`) through its connect dialog, in `room`.
std::unique_ptr<MainWindow> signedInWindow(const TestServer &server, const QString &nick,
                                           const QString &password, const QString &room)
{
    auto window = std::make_unique<MainWindow>(fastOptions());
    window->show();
    auto modalWatch = onNextModal([&](QWidget *modal) {
        auto *dialog = qobject_cast<ConnectDialog *>(modal);
        if (!dialog)
            return;
        fill(dialog, server.address(), ConnectDialog::Mode::SignIn, nick, password);
        dialog->accept();
    });
    if (!window->openConnectDialog())
        return nullptr;
    QSignalSpy joined(window->session(), &client::ChatSession::roomJoined);
    window->session()->joinRoom(room);
    if (!joined.wait(10000))
        return nullptr;
    return window;
}

QString storedToken(client::TokenStore *store, const QString &server)
{
    std::optional<QString> out;
    store->load(server, [&](const QString &token) { out = token; });
    (void)QTest::qWaitFor([&] { return out.has_value(); }, 10000);
    return out.value_or(QStringLiteral("<no answer>"));
}

} // namespace

class tst_AccountWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void connectDialogModes();
    void connectDialogShowsTheServersRefusals();
    void connectDialogSaysRegistrationIsClosed();
    void signInKeepsOnlyTheTokenAndSignOutForgetsIt();
    void startUpResumesTheKeptSession();
    void expiredSessionAsksToSignInAgain();
    void changePasswordDialog();
    void memberMarks();
    void adminMenu();
    void noAdminMenuForMembers();
    void preferencesSayWhereTheTokenIs();
};

void tst_AccountWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_accountwindow"));
}

void tst_AccountWindow::init()
{
    QSettings().clear();
}

void tst_AccountWindow::connectDialogModes()
{
    ConnectDialog dialog;
    dialog.show();
    auto *password = dialog.findChild<QLineEdit *>("passwordEdit");
    auto *confirm = dialog.findChild<QLineEdit *>("confirmEdit");
    QPushButton *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QCOMPARE(dialog.mode(), ConnectDialog::Mode::SignIn);
    QVERIFY(password->isVisible());
    QVERIFY(!confirm->isVisible());
    QCOMPARE(password->echoMode(), QLineEdit::Password);

    fill(&dialog, "127.0.0.1:1", ConnectDialog::Mode::SignIn, "alice", {});
    QVERIFY(!ok->isEnabled()); // a password is needed
    password->setText(Password);
    QVERIFY(ok->isEnabled());

    dialog.findChild<QRadioButton *>("registerMode")->click();
    QCOMPARE(dialog.mode(), ConnectDialog::Mode::Register);
    QVERIFY(confirm->isVisible());
    confirm->setText("something else");
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.error().contains("differ"), qPrintable(dialog.error()));
    confirm->setText(Password);
    QVERIFY(ok->isEnabled());
    password->setText("short");
    confirm->setText("short");
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.error().contains("8"), qPrintable(dialog.error()));

    dialog.findChild<QRadioButton *>("guestMode")->click();
    QCOMPARE(dialog.mode(), ConnectDialog::Mode::Guest);
    QVERIFY(!password->isVisible());
    QVERIFY(!confirm->isVisible());
    QVERIFY(ok->isEnabled());
    QVERIFY(ok->text().contains("Guest"));
    dialog.findChild<QLineEdit *>("nicknameEdit")->setText("bad nick!");
    QVERIFY(!ok->isEnabled());
}

void tst_AccountWindow::connectDialogShowsTheServersRefusals()
{
    TestServer server;
    QVERIFY(server.start());
    {
        ConnectDialog dialog;
        dialog.show();
        QVERIFY2(submit(dialog, server.address(), ConnectDialog::Mode::Register, "alice", Password),
                 qPrintable(dialog.error()));
        QCOMPARE(dialog.identity().user, QStringLiteral("alice"));
        QCOMPARE(dialog.identity().role, QStringLiteral("member"));
        QVERIFY(!dialog.identity().token.isEmpty());
        // Nothing of the password stays in the dialog.
        QVERIFY(dialog.findChild<QLineEdit *>("passwordEdit")->text().isEmpty());
    }
    ConnectDialog dialog;
    dialog.show();
    QVERIFY(!submit(dialog, server.address(), ConnectDialog::Mode::Register, "Alice", Password));
    QVERIFY2(dialog.error().contains("taken"), qPrintable(dialog.error())); // 409
    QVERIFY(dialog.isVisible());
    QVERIFY(!submit(dialog, server.address(), ConnectDialog::Mode::Guest, "alice"));
    QVERIFY2(dialog.error().contains("taken"), qPrintable(dialog.error())); // 409
    QVERIFY(!submit(dialog, server.address(), ConnectDialog::Mode::SignIn, "alice", "wrong one!"));
    QVERIFY2(!dialog.error().isEmpty(), "401 shows nothing");
    const QString wrongPassword = dialog.error();
    // Beyond the allowance: "try again in N s" (429 with Retry-After).
    for (int i = 0; i < 12 && !dialog.error().contains("try again"); ++i)
        QVERIFY(
            !submit(dialog, server.address(), ConnectDialog::Mode::SignIn, "alice", "wrong one!"));
    QVERIFY2(dialog.error().contains(QRegularExpression("try again in \\d+ s")),
             qPrintable(dialog.error()));
    QVERIFY(dialog.error() != wrongPassword);
}

void tst_AccountWindow::connectDialogSaysRegistrationIsClosed()
{
    TestServer server;
    server.config().registrationOpen = false;
    QVERIFY(server.start());
    ConnectDialog dialog;
    dialog.show();
    QVERIFY(!submit(dialog, server.address(), ConnectDialog::Mode::Register, "alice", Password));
    QVERIFY2(dialog.error().startsWith("refused: "), qPrintable(dialog.error())); // 403
    QVERIFY2(dialog.error().size() > QStringLiteral("refused: ").size(),
             qPrintable(dialog.error()));
    // Guests are still welcome.
    QVERIFY(submit(dialog, server.address(), ConnectDialog::Mode::Guest, "visitor"));
    QCOMPARE(dialog.identity().role, QStringLiteral("guest"));
}

void tst_AccountWindow::signInKeepsOnlyTheTokenAndSignOutForgetsIt()
{
    TestServer server;
    QVERIFY(server.start());
    client::AccountClient accounts;
    accounts.setServer(server.address());
    QCOMPARE(waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); }).status,
             201);

    auto window = signedInWindow(server, "alice", Password, "lobby");
    QVERIFY(window);
    client::ChatSession *session = window->session();
    QCOMPARE(session->identity().user, QStringLiteral("alice"));
    QCOMPARE(session->connectionState(), client::ChatSession::ConnectionState::Connected);
    const QString token = session->identity().token;
    QCOMPARE(storedToken(window->tokenStore(), server.address()), token);
    // The password is nowhere in the settings file.
    {
        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(Password.toUtf8()));
    }

    auto *signOut = window->findChild<QAction *>("signOutAction");
    QVERIFY(signOut->isEnabled());
    bool askedAgain = false;
    auto modalWatch = onNextModal([&](QWidget *modal) {
        askedAgain = qobject_cast<ConnectDialog *>(modal) != nullptr;
        if (auto *dialog = qobject_cast<QDialog *>(modal))
            dialog->reject();
    });
    signOut->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(askedAgain, 15000);
    QCOMPARE(session->connectionState(), client::ChatSession::ConnectionState::Disconnected);
    QVERIFY(!signOut->isEnabled());
    QCOMPARE(storedToken(window->tokenStore(), server.address()), QString());
    QCOMPARE(waitFor([&](auto done) { accounts.whoAmI(token, done); }).status, 401);
}

void tst_AccountWindow::startUpResumesTheKeptSession()
{
    TestServer server;
    QVERIFY(server.start());
    client::AccountClient accounts;
    accounts.setServer(server.address());
    const auto made =
        waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); });
    QCOMPARE(made.status, 201);
    QSettings().setValue("connect/server", server.address());
    client::SettingsTokenStore().save(server.address(), made.identity.token, {});

    {
        MainWindow window(fastOptions());
        window.show();
        bool dialogShown = false;
        auto modalWatch = onNextModal([&](QWidget *modal) {
            dialogShown = true;
            if (auto *dialog = qobject_cast<QDialog *>(modal))
                dialog->reject();
        });
        QSignalSpy joined(window.session(), &client::ChatSession::roomJoined);
        window.startUp({}, {}, {"lobby"});
        QVERIFY(joined.wait(10000));
        QVERIFY(!dialogShown);
        QCOMPARE(window.session()->identity().user, QStringLiteral("alice"));
        QCOMPARE(window.session()->identity().role, QStringLiteral("member"));
    }

    // A token the server no longer knows is forgotten, and the dialog asks (that window is
    // gone, so the dialog seen is the new window's).
    QCOMPARE(waitFor([&](auto done) { accounts.signOut(made.identity.token, done); }).status, 200);
    MainWindow later(fastOptions());
    later.show();
    QString shownError;
    auto laterWatch = onNextModal([&](QWidget *modal) {
        if (auto *dialog = qobject_cast<ConnectDialog *>(modal)) {
            shownError = dialog->error();
            dialog->reject();
        }
    });
    later.startUp({}, {}, {"lobby"});
    QTRY_VERIFY_WITH_TIMEOUT(!shownError.isEmpty(), 15000);
    QCOMPARE(storedToken(later.tokenStore(), server.address()), QString());
}

void tst_AccountWindow::expiredSessionAsksToSignInAgain()
{
    TestServer server;
    QVERIFY(server.start());
    client::AccountClient accounts;
    accounts.setServer(server.address());
    QCOMPARE(waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); }).status,
             201);
    auto window = signedInWindow(server, "alice", Password, "lobby");
    QVERIFY(window);
    const QString token = window->session()->identity().token;
    QString shownError;
    auto modalWatch = onNextModal([&](QWidget *modal) {
        if (auto *dialog = qobject_cast<ConnectDialog *>(modal)) {
            shownError = dialog->error();
            dialog->reject();
        }
    });
    // Signed out on another device with the same token.
    QCOMPARE(waitFor([&](auto done) { accounts.signOut(token, done); }).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(!shownError.isEmpty(), 15000);
    QVERIFY2(shownError.contains("sign in again"), qPrintable(shownError));
    QCOMPARE(storedToken(window->tokenStore(), server.address()), QString());
}

void tst_AccountWindow::changePasswordDialog()
{
    TestServer server;
    QVERIFY(server.start());
    client::AccountClient accounts;
    accounts.setServer(server.address());
    const QString token = waitFor([&](auto done) {
                              accounts.registerAccount("alice", Password, done);
                          }).identity.token;
    QVERIFY(!token.isEmpty());
    ChangePasswordDialog dialog(&accounts, token);
    dialog.show();
    auto *oldEdit = dialog.findChild<QLineEdit *>("oldPasswordEdit");
    auto *newEdit = dialog.findChild<QLineEdit *>("newPasswordEdit");
    auto *confirmEdit = dialog.findChild<QLineEdit *>("confirmPasswordEdit");
    oldEdit->setText("not the old one");
    newEdit->setText("brand new password");
    confirmEdit->setText("brand new password");
    QSignalSpy failed(&dialog, &ChangePasswordDialog::failed);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.accept();
    QVERIFY(failed.wait(15000));
    QVERIFY2(dialog.error().contains("wrong"), qPrintable(dialog.error()));
    oldEdit->setText(Password);
    dialog.accept();
    QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, 15000);
    QCOMPARE(
        waitFor([&](auto done) { accounts.signIn("alice", "brand new password", done); }).status,
        200);
}

void tst_AccountWindow::memberMarks()
{
    client::MemberModel members;
    members.setMyNickname("alice");
    members.setPresence(presence(
        {{"alice", "member"}, {"root", "admin"}, {"visitor", "guest"}, {"old", QString()}}));
    ProbeDelegate delegate;
    const QString alice = delegate.textFor(rowOf(&members, "alice"));
    const QString root = delegate.textFor(rowOf(&members, "root"));
    const QString visitor = delegate.textFor(rowOf(&members, "visitor"));
    QVERIFY2(alice.startsWith("● alice") && !alice.contains("guest"), qPrintable(alice));
    QVERIFY2(root.startsWith("★ root") && root.contains("(admin)"), qPrintable(root));
    QVERIFY2(visitor.startsWith("○ visitor") && visitor.contains("(guest)"), qPrintable(visitor));
    // Words, not colour alone: the tooltip says it too.
    QVERIFY(rowOf(&members, "alice").data(Qt::ToolTipRole).toString().contains("registered"));
    QVERIFY(rowOf(&members, "visitor").data(Qt::ToolTipRole).toString().contains("guest"));
    // A change of role alone updates the row.
    QSignalSpy changed(&members, &QAbstractItemModel::dataChanged);
    members.setPresence(
        presence({{"alice", "member"}, {"root", "admin"}, {"visitor", "member"}, {"old", {}}}));
    QCOMPARE(changed.size(), 1);
    QVERIFY(delegate.textFor(rowOf(&members, "visitor")).startsWith("● visitor"));
}

void tst_AccountWindow::adminMenu()
{
    TestServer server;
    QVERIFY(addAccountWithCli(server.dataDir(), "root", Password, true));
    QVERIFY(server.start());
    client::AccountClient accounts;
    accounts.setServer(server.address());
    const auto bobMade =
        waitFor([&](auto done) { accounts.registerAccount("bob", Password, done); });
    QCOMPARE(bobMade.status, 201);

    auto window = signedInWindow(server, "root", Password, "lobby");
    QVERIFY(window);
    client::ChatSession *session = window->session();
    QVERIFY(session->admin());
    QTRY_VERIFY_WITH_TIMEOUT(session->admin()->isJoined(), 10000);
    auto *systemAction = window->findChild<QAction *>("systemMessageAction");
    QVERIFY(systemAction->isVisible() && systemAction->isEnabled());

    client::ChatSession bob(fastOptions());
    QSignalSpy bobJoined(&bob, &client::ChatSession::roomJoined);
    bob.connectToServer(server.address(), bobMade.identity);
    bob.joinRoom("lobby");
    QVERIFY(bobJoined.wait(10000));
    client::MemberModel *members = session->members("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(members, "bob").isValid(), 10000);
    QVERIFY(!window->memberMenu(rowOf(members, "root"))); // not for oneself

    std::unique_ptr<QMenu> menu(window->memberMenu(rowOf(members, "bob")));
    QVERIFY(menu);
    auto *kick = menu->findChild<QAction *>("kickAction");
    auto *ban = menu->findChild<QAction *>("banAction");
    auto *unban = menu->findChild<QAction *>("unbanAction");
    QVERIFY(kick && ban && unban);
    QStatusBar *status = window->statusBar();

    kick->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(status->currentMessage().startsWith("Disconnected bob"), 10000);

    auto banWatch = onNextModal([](QWidget *modal) {
        auto *dialog = qobject_cast<BanDialog *>(modal);
        if (!dialog) {
            qobject_cast<QDialog *>(modal)->reject();
            return;
        }
        dialog->setMinutes(5);
        dialog->setReason("spam");
        dialog->accept();
    });
    ban->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(status->currentMessage().startsWith("Banned bob"), 10000);
    QCOMPARE(waitFor([&](auto done) { accounts.signIn("bob", Password, done); }).status, 403);

    unban->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(status->currentMessage(), QStringLiteral("Unbanned bob"), 10000);
    unban->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(status->currentMessage().contains("not banned"), 10000);

    auto systemWatch = onNextModal([](QWidget *modal) {
        auto *input = qobject_cast<QInputDialog *>(modal);
        if (!input) {
            qobject_cast<QDialog *>(modal)->reject();
            return;
        }
        input->setTextValue("back in five");
        input->accept();
    });
    systemAction->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(status->currentMessage(),
                              QStringLiteral("System message posted in #lobby"), 10000);
}

void tst_AccountWindow::noAdminMenuForMembers()
{
    TestServer server;
    QVERIFY(server.start());
    client::AccountClient accounts;
    accounts.setServer(server.address());
    QCOMPARE(waitFor([&](auto done) { accounts.registerAccount("alice", Password, done); }).status,
             201);
    const auto guest = waitFor([&](auto done) { accounts.enterAsGuest("visitor", done); });
    QCOMPARE(guest.status, 201);
    auto window = signedInWindow(server, "alice", Password, "lobby");
    QVERIFY(window);
    client::ChatSession visitor(fastOptions());
    QSignalSpy joined(&visitor, &client::ChatSession::roomJoined);
    visitor.connectToServer(server.address(), guest.identity);
    visitor.joinRoom("lobby");
    QVERIFY(joined.wait(10000));
    client::MemberModel *members = window->session()->members("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(members, "visitor").isValid(), 10000);
    QVERIFY(!window->memberMenu(rowOf(members, "visitor")));
    QVERIFY(!window->findChild<QAction *>("systemMessageAction")->isVisible());
    // Registered and guest rows are marked in the window's own member list.
    auto *view = window->findChild<QListView *>("memberView");
    QVERIFY(qobject_cast<MemberDelegate *>(view->itemDelegate()));
    QCOMPARE(view->model(), members);
    ProbeDelegate delegate;
    QTRY_VERIFY_WITH_TIMEOUT(delegate.textFor(rowOf(members, "visitor")).contains("(guest)"),
                             10000);
}

void tst_AccountWindow::preferencesSayWhereTheTokenIs()
{
    MainWindow window(fastOptions());
    window.show();
    QString location;
    auto modalWatch = onNextModal([&](QWidget *modal) {
        if (auto *label = modal->findChild<QLabel *>("tokenLocation"))
            location = label->text();
        qobject_cast<QDialog *>(modal)->reject();
    });
    window.findChild<QAction *>("preferencesAction")->trigger();
    QVERIFY2(location.contains(QSettings().fileName()), qPrintable(location));
    QVERIFY(location.contains("never stored"));
}

QTEST_MAIN(tst_AccountWindow)
#include "tst_accountwindow.moc"

// SPDX-License-Identifier: MIT
#include "connectdialog.h"

#include "certificatedialog.h"
#include "chatvalidation.h"
#include "discoveredservermodel.h"
#include "serverbrowser.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QVBoxLayout>

namespace chatter::ui {

namespace {

//! The server's rule (docs/identity.md); saying it here spares a round trip.
constexpr int MinPasswordLength = 8;
constexpr int MaxPasswordLength = 256;

const QString ModeKey = QStringLiteral("connect/mode");

} // namespace

ConnectDialog::ConnectDialog(client::CertificatePins *pins, QWidget *parent)
    : QDialog(parent), m_accounts(new client::AccountClient(this)), m_pins(pins),
      m_browser(new client::ServerBrowser(this)),
      m_discoveredModel(new client::DiscoveredServerModel(m_browser, this)),
      m_discovered(new QListView(this)), m_discoveryStatus(new QLabel(this)),
      m_modes(new QButtonGroup(this)), m_signIn(new QRadioButton(tr("Sign &in"), this)),
      m_register(new QRadioButton(tr("Re&gister"), this)),
      m_guest(new QRadioButton(tr("Gues&t"), this)), m_server(new QLineEdit(this)),
      m_nickname(new QLineEdit(this)), m_passwordLabel(new QLabel(tr("&Password:"), this)),
      m_password(new QLineEdit(this)), m_confirmLabel(new QLabel(tr("Repe&at password:"), this)),
      m_confirm(new QLineEdit(this)), m_error(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to Chatter"));
    m_accounts->setCertificatePins(m_pins);
    m_signIn->setObjectName(QStringLiteral("signInMode"));
    m_register->setObjectName(QStringLiteral("registerMode"));
    m_guest->setObjectName(QStringLiteral("guestMode"));
    m_modes->addButton(m_signIn, int(Mode::SignIn));
    m_modes->addButton(m_register, int(Mode::Register));
    m_modes->addButton(m_guest, int(Mode::Guest));
    m_server->setObjectName(QStringLiteral("serverEdit"));
    m_nickname->setObjectName(QStringLiteral("nicknameEdit"));
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_confirm->setObjectName(QStringLiteral("confirmEdit"));
    m_error->setObjectName(QStringLiteral("connectError"));

    QSettings settings;
    m_server->setText(
        settings.value(QStringLiteral("connect/server"), QStringLiteral("localhost:4000"))
            .toString());
    m_server->setPlaceholderText(QStringLiteral("localhost:4000"));
    m_nickname->setText(settings.value(QStringLiteral("connect/nickname")).toString());
    m_nickname->setMaxLength(validation::MaxNicknameLength);
    m_nickname->setPlaceholderText(tr("letters, digits, . _ -"));
    for (QLineEdit *edit : {m_password, m_confirm}) {
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaxLength(MaxPasswordLength);
    }
    m_passwordLabel->setBuddy(m_password);
    m_confirmLabel->setBuddy(m_confirm);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:#c62828"));
    m_error->hide();

    auto *modes = new QHBoxLayout;
    modes->addWidget(m_signIn);
    modes->addWidget(m_register);
    modes->addWidget(m_guest);
    modes->addStretch(1);
    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(modes);
    form->addRow(tr("&Nickname:"), m_nickname);
    form->addRow(m_passwordLabel, m_password);
    form->addRow(m_confirmLabel, m_confirm);
    // The servers on the LAN, live, above the manual entry.
    m_discovered->setObjectName(QStringLiteral("discoveredServers"));
    m_discovered->setModel(m_discoveredModel);
    m_discovered->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Wide enough for a name, an address and the records on one line; a few rows high.
    m_discovered->setMinimumWidth(m_discovered->fontMetrics().horizontalAdvance(
        QStringLiteral("Chatter on a-host-name — 192.168.100.200:4000 · TLS · accounts only · "
                       "12 online    ")));
    m_discovered->setMaximumHeight(m_discovered->fontMetrics().height() * 6);
    m_discoveryStatus->setObjectName(QStringLiteral("discoveryStatus"));
    m_discoveryStatus->setWordWrap(true);
    auto *discoveredLabel = new QLabel(tr("Servers on this net&work:"), this);
    discoveredLabel->setBuddy(m_discovered);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(discoveredLabel);
    layout->addWidget(m_discovered);
    layout->addWidget(m_discoveryStatus);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    for (QLineEdit *edit : {m_server, m_nickname, m_password, m_confirm})
        connect(edit, &QLineEdit::textChanged, this, &ConnectDialog::validate);
    connect(m_modes, &QButtonGroup::idClicked, this, &ConnectDialog::updateMode);
    connect(m_discovered, &QListView::clicked, this, &ConnectDialog::pickDiscovered);
    connect(m_discovered, &QListView::activated, this, &ConnectDialog::pickDiscovered);
    connect(m_browser, &client::ServerBrowser::availabilityChanged, this,
            &ConnectDialog::updateDiscoveryStatus);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_discoveredModel, signal, this, &ConnectDialog::updateDiscoveryStatus);
    updateDiscoveryStatus();
    m_browser->start();
    setTabOrder(m_server, m_signIn);
    setTabOrder(m_signIn, m_nickname);
    setTabOrder(m_nickname, m_password);
    setTabOrder(m_password, m_confirm);
    setTabOrder(m_confirm, m_buttons);

    const int mode = settings.value(ModeKey, int(Mode::SignIn)).toInt();
    setMode(mode >= int(Mode::SignIn) && mode <= int(Mode::Guest) ? Mode(mode) : Mode::SignIn);
    (m_nickname->text().isEmpty() ? m_nickname : m_password)->setFocus();
}

QString ConnectDialog::server() const
{
    return m_server->text().trimmed();
}

QString ConnectDialog::nickname() const
{
    return m_nickname->text().trimmed();
}

ConnectDialog::Mode ConnectDialog::mode() const
{
    return Mode(m_modes->checkedId());
}

void ConnectDialog::setMode(Mode mode)
{
    m_modes->button(int(mode))->setChecked(true);
    updateMode();
}

void ConnectDialog::updateMode()
{
    const Mode m = mode();
    m_passwordLabel->setVisible(m != Mode::Guest);
    m_password->setVisible(m != Mode::Guest);
    m_confirmLabel->setVisible(m == Mode::Register);
    m_confirm->setVisible(m == Mode::Register);
    // The rule matters when choosing a password, not when typing one's own.
    m_password->setPlaceholderText(
        m == Mode::Register ? tr("at least %n characters", nullptr, MinPasswordLength) : QString());
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setText(m == Mode::SignIn     ? tr("&Sign In")
                : m == Mode::Register ? tr("&Create Account")
                                      : tr("&Enter as Guest"));
    validate();
}

void ConnectDialog::pickDiscovered(const QModelIndex &index)
{
    if (!index.isValid() || m_busy)
        return;
    m_server->setText(index.data(client::DiscoveredServerModel::UrlRole).toString());
    (m_nickname->text().isEmpty() ? m_nickname : m_password)->setFocus();
}

void ConnectDialog::updateDiscoveryStatus()
{
    const bool none = m_discoveredModel->rowCount() == 0;
    m_discovered->setVisible(!none);
    if (!none)
        m_discoveryStatus->clear();
    else if (!m_browser->unavailableReason().isEmpty())
        m_discoveryStatus->setText(tr("Servers on this network cannot be listed: %1.")
                                       .arg(m_browser->unavailableReason()));
    else
        m_discoveryStatus->setText(tr("Looking for servers on this network…"));
    m_discoveryStatus->setVisible(none);
}

void ConnectDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QString ConnectDialog::error() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void ConnectDialog::validate()
{
    // The server applies the same rules; saying it here is friendlier.
    QString why;
    if (!nickname().isEmpty()) {
        if (const auto valid = validation::checkNickname(nickname()); !valid)
            why = tr("Nickname: %1").arg(valid.error());
    }
    const Mode m = mode();
    const QString password = m_password->text();
    if (why.isEmpty() && m == Mode::Register && !password.isEmpty()) {
        if (password.size() < MinPasswordLength)
            why = tr("Password: at least %n characters", nullptr, MinPasswordLength);
        else if (!m_confirm->text().isEmpty() && m_confirm->text() != password)
            why = tr("The two passwords differ");
    }
    setError(why);
    const bool complete = !server().isEmpty() && !nickname().isEmpty() &&
                          (m == Mode::Guest || !password.isEmpty()) &&
                          (m != Mode::Register || m_confirm->text() == password);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(complete && why.isEmpty() && !m_busy);
}

void ConnectDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget *w : {static_cast<QWidget *>(m_server), static_cast<QWidget *>(m_nickname),
                       static_cast<QWidget *>(m_password), static_cast<QWidget *>(m_confirm)})
        w->setEnabled(!busy);
    if (busy)
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    else
        validate();
}

void ConnectDialog::accept()
{
    if (m_busy || !m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return;
    QSettings settings;
    settings.setValue(QStringLiteral("connect/server"), server());
    settings.setValue(QStringLiteral("connect/nickname"), nickname());
    settings.setValue(ModeKey, int(mode()));
    m_accounts->setServer(server());
    setBusy(true);
    auto done = [this](const client::AccountResult &result) { finished(result); };
    switch (mode()) {
    case Mode::SignIn:
        m_accounts->signIn(nickname(), m_password->text(), done);
        break;
    case Mode::Register:
        m_accounts->registerAccount(nickname(), m_password->text(), done);
        break;
    case Mode::Guest:
        m_accounts->enterAsGuest(nickname(), done);
        break;
    }
}

void ConnectDialog::finished(const client::AccountResult &result)
{
    setBusy(false);
    if (result.ok() && result.identity.isValid() && !result.identity.token.isEmpty()) {
        m_identity = result.identity;
        // Only the token leaves the dialog.
        m_password->clear();
        m_confirm->clear();
        QDialog::accept();
        return;
    }
    const QString message =
        result.ok() ? tr("The server's answer had no session in it") : result.describe();
    setError(message);
    Q_EMIT failed(message);
    if (result.untrustedCertificate && !result.certificate.changed() && m_pins) {
        // The same question the socket asks; trusting it pins the certificate for both.
        auto *dialog = new CertificateDialog(result.certificate, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog] {
            m_pins->pin(dialog->certificate().hostPort, dialog->certificate().fingerprint);
            accept();
        });
        dialog->open();
    }
}

} // namespace chatter::ui

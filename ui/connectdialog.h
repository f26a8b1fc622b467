// SPDX-License-Identifier: MIT
#pragma once

#include "accountclient.h"

#include <QDialog>

class QButtonGroup;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;
class QRadioButton;

namespace chatter::client {
class CertificatePins;
class DiscoveredServerModel;
class ServerBrowser;
} // namespace chatter::client

namespace chatter::ui {

//! Where and as whom to connect: the server address, then Sign in (nickname and password),
//! Register (a new account) or Guest (a nickname held while connected). OK asks the server's
//! account API and the dialog closes only with a session (identity()); the server's refusal
//! (wrong password, taken, too many tries, closed registration …) is shown in the dialog.
//! Remembers the server, the nickname and the mode in QSettings, never the password.
//! Above the address, the Chatter servers found on the LAN (ServerBrowser, docs/discovery.md)
//! are listed live; picking one fills in its ws:// or wss:// address.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode
    {
        SignIn,
        Register,
        Guest
    };
    Q_ENUM(Mode)

    //! `pins`: the certificates trusted for https servers (the socket's), may be null.
    explicit ConnectDialog(client::CertificatePins *pins = nullptr, QWidget *parent = nullptr);

    QString server() const;
    QString nickname() const;
    Mode mode() const;
    void setMode(Mode mode);
    //! The session the server gave, once accepted.
    const client::Identity &identity() const { return m_identity; }
    //! Shows why the last attempt failed (kept until the user edits something).
    void setError(const QString &message);
    QString error() const;
    //! True while a request is on its way.
    bool isBusy() const { return m_busy; }
    //! The servers found on the LAN, as listed above the address.
    client::DiscoveredServerModel *discoveredServers() const { return m_discoveredModel; }

    void accept() override;

Q_SIGNALS:
    //! A request came back with an error (also shown); for tests and accessibility.
    void failed(const QString &message);

private:
    void validate();
    void updateMode();
    void setBusy(bool busy);
    void finished(const client::AccountResult &result);
    void pickDiscovered(const QModelIndex &index);
    void updateDiscoveryStatus();

    client::AccountClient *m_accounts;
    client::CertificatePins *m_pins;
    client::ServerBrowser *m_browser;
    client::DiscoveredServerModel *m_discoveredModel;
    QListView *m_discovered;
    QLabel *m_discoveryStatus;
    QButtonGroup *m_modes;
    QRadioButton *m_signIn;
    QRadioButton *m_register;
    QRadioButton *m_guest;
    QLineEdit *m_server;
    QLineEdit *m_nickname;
    QLabel *m_passwordLabel;
    QLineEdit *m_password;
    QLabel *m_confirmLabel;
    QLineEdit *m_confirm;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    client::Identity m_identity;
    bool m_busy = false;
};

} // namespace chatter::ui

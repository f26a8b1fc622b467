// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace chatter::client {
class AccountClient;
}

namespace chatter::ui {

//! Chat › Change Password…: the old password and the new one twice. OK asks the server
//! (`POST /api/accounts/password`, which revokes the account's other sessions); the dialog
//! closes on success and shows the server's refusal otherwise. Keeps no password.
class ChangePasswordDialog : public QDialog
{
    Q_OBJECT
public:
    ChangePasswordDialog(client::AccountClient *accounts, QString token, QWidget *parent = nullptr);

    QString error() const;
    void accept() override;

Q_SIGNALS:
    void failed(const QString &message);

private:
    void validate();

    client::AccountClient *m_accounts;
    QString m_token;
    QLineEdit *m_old;
    QLineEdit *m_new;
    QLineEdit *m_confirm;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    bool m_busy = false;
};

} // namespace chatter::ui

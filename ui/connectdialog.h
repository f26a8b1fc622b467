// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace chatter::ui {

//! Asks for the server address and nickname, remembering both in QSettings.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    QString server() const;
    QString nickname() const;
    //! Shows why the last attempt failed (kept until the user edits something).
    void setError(const QString &message);

    void accept() override;

private:
    void validate();

    QLineEdit *m_server;
    QLineEdit *m_nickname;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace chatter::ui

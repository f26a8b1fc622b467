// SPDX-License-Identifier: MIT
#include "changepassworddialog.h"

#include "accountclient.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace chatter::ui {

namespace {

constexpr int MinPasswordLength = 8;
constexpr int MaxPasswordLength = 256;

} // namespace

ChangePasswordDialog::ChangePasswordDialog(client::AccountClient *accounts, QString token,
                                           QWidget *parent)
    : QDialog(parent), m_accounts(accounts), m_token(std::move(token)), m_old(new QLineEdit(this)),
      m_new(new QLineEdit(this)), m_confirm(new QLineEdit(this)), m_error(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Change Password"));
    m_old->setObjectName(QStringLiteral("oldPasswordEdit"));
    m_new->setObjectName(QStringLiteral("newPasswordEdit"));
    m_confirm->setObjectName(QStringLiteral("confirmPasswordEdit"));
    m_error->setObjectName(QStringLiteral("changePasswordError"));
    for (QLineEdit *edit : {m_old, m_new, m_confirm}) {
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaxLength(MaxPasswordLength);
        connect(edit, &QLineEdit::textChanged, this, &ChangePasswordDialog::validate);
    }
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:#c62828"));
    m_error->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Change"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Current password:"), m_old);
    form->addRow(tr("&New password:"), m_new);
    form->addRow(tr("Repe&at new password:"), m_confirm);
    auto *note = new QLabel(tr("Your other signed-in devices will be signed out."), this);
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ChangePasswordDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ChangePasswordDialog::reject);
    validate();
}

QString ChangePasswordDialog::error() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void ChangePasswordDialog::validate()
{
    QString why;
    if (!m_new->text().isEmpty() && m_new->text().size() < MinPasswordLength)
        why = tr("New password: at least %n characters", nullptr, MinPasswordLength);
    else if (!m_confirm->text().isEmpty() && m_confirm->text() != m_new->text())
        why = tr("The two new passwords differ");
    m_error->setText(why);
    m_error->setVisible(!why.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(!m_busy && why.isEmpty() && !m_old->text().isEmpty() &&
                     !m_new->text().isEmpty() && m_confirm->text() == m_new->text());
}

void ChangePasswordDialog::accept()
{
    if (m_busy || !m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return;
    m_busy = true;
    validate();
    m_accounts->changePassword(
        m_token, m_old->text(), m_new->text(), [this](const client::AccountResult &result) {
            m_busy = false;
            if (result.ok()) {
                m_old->clear();
                m_new->clear();
                m_confirm->clear();
                QDialog::accept();
                return;
            }
            validate();
            const QString message =
                result.status == 401 ? tr("The current password is wrong") : result.describe();
            m_error->setText(message);
            m_error->setVisible(true);
            Q_EMIT failed(message);
        });
}

} // namespace chatter::ui

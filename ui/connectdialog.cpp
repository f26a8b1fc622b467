// SPDX-License-Identifier: MIT
#include "connectdialog.h"

#include "chatvalidation.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace chatter::ui {

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent), m_server(new QLineEdit(this)), m_nickname(new QLineEdit(this)),
      m_error(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to Chatter"));
    QSettings settings;
    m_server->setText(
        settings.value(QStringLiteral("connect/server"), QStringLiteral("localhost:4000"))
            .toString());
    m_server->setPlaceholderText(QStringLiteral("localhost:4000"));
    m_nickname->setText(settings.value(QStringLiteral("connect/nickname")).toString());
    m_nickname->setMaxLength(validation::MaxNicknameLength);
    m_nickname->setPlaceholderText(tr("letters, digits, . _ -"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:#c62828"));
    m_error->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Nickname:"), m_nickname);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    connect(m_server, &QLineEdit::textChanged, this, &ConnectDialog::validate);
    connect(m_nickname, &QLineEdit::textChanged, this, &ConnectDialog::validate);
    setTabOrder(m_server, m_nickname);
    setTabOrder(m_nickname, m_buttons);
    (m_nickname->text().isEmpty() ? m_nickname : m_server)->setFocus();
    validate();
}

QString ConnectDialog::server() const
{
    return m_server->text().trimmed();
}

QString ConnectDialog::nickname() const
{
    return m_nickname->text().trimmed();
}

void ConnectDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ConnectDialog::validate()
{
    // The server applies the same rule and refuses the upgrade; saying it here is friendlier.
    const auto valid =
        nickname().isEmpty() ? Expected<void>() : validation::checkNickname(nickname());
    const QString why = valid ? QString() : valid.error();
    setError(why.isEmpty() ? QString() : tr("Nickname: %1").arg(why));
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(!server().isEmpty() && !nickname().isEmpty() && why.isEmpty());
}

void ConnectDialog::accept()
{
    QSettings settings;
    settings.setValue(QStringLiteral("connect/server"), server());
    settings.setValue(QStringLiteral("connect/nickname"), nickname());
    QDialog::accept();
}

} // namespace chatter::ui

// SPDX-License-Identifier: MIT
#include "bandialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace chatter::monitor {

BanDialog::BanDialog(const QString &nickname, const QHostAddress &address, QWidget *parent)
    : QDialog(parent), m_nickname(nickname), m_address(address)
{
    setWindowTitle(tr("Ban"));
    m_byNickname = new QRadioButton(tr("Nickname “%1”").arg(nickname), this);
    m_byAddress = new QRadioButton(tr("Address %1").arg(address.toString()), this);
    m_byNickname->setEnabled(!nickname.isEmpty());
    m_byAddress->setEnabled(!address.isNull());
    (nickname.isEmpty() ? m_byAddress : m_byNickname)->setChecked(true);

    m_minutes = new QSpinBox(this);
    // Up to a week: a ban is a cooling-off period on a LAN, not an account system.
    m_minutes->setRange(1, 7 * 24 * 60);
    m_minutes->setValue(10);
    m_minutes->setSuffix(tr(" min"));

    auto *note = new QLabel(tr("Matching sockets are disconnected now, and new connections are "
                               "refused until the ban expires."),
                            this);
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Ban"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("Ban:"), m_byNickname);
    form->addRow(QString(), m_byAddress);
    form->addRow(tr("For:"), m_minutes);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

BanRequest BanDialog::request() const
{
    BanRequest r;
    r.target =
        m_byAddress->isChecked() ? BanRequest::Target::Address : BanRequest::Target::Nickname;
    r.nickname = m_nickname;
    r.address = m_address;
    r.minutes = m_minutes->value();
    return r;
}

} // namespace chatter::monitor

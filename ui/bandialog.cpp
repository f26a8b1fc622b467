// SPDX-License-Identifier: MIT
#include "bandialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace chatter::ui {

BanDialog::BanDialog(const QString &user, QWidget *parent)
    : QDialog(parent), m_minutes(new QSpinBox(this)), m_reason(new QLineEdit(this))
{
    setWindowTitle(tr("Ban %1").arg(user));
    m_minutes->setObjectName(QStringLiteral("banMinutes"));
    m_reason->setObjectName(QStringLiteral("banReason"));
    m_minutes->setRange(0, 525'600); // a year; 0 means until lifted
    m_minutes->setValue(60);
    m_minutes->setSuffix(tr(" min"));
    m_minutes->setSpecialValueText(tr("until lifted"));
    m_reason->setMaxLength(200);
    auto *form = new QFormLayout;
    form->addRow(tr("&Duration:"), m_minutes);
    form->addRow(tr("&Reason:"), m_reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Ban"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

int BanDialog::minutes() const
{
    return m_minutes->value();
}

void BanDialog::setMinutes(int minutes)
{
    m_minutes->setValue(minutes);
}

QString BanDialog::reason() const
{
    return m_reason->text().trimmed();
}

void BanDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

} // namespace chatter::ui

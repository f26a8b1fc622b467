// SPDX-License-Identifier: MIT
#include "systemmessagedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace chatter::monitor {

SystemMessageDialog::SystemMessageDialog(const QStringList &rooms, const QString &suggestedRoom,
                                         QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Send system message"));
    m_room = new QComboBox(this);
    // Editable: an admin may address a room nobody has joined yet. The validator is the
    // protocol's room-name rule, so the engine never gets a name it would refuse.
    m_room->setEditable(true);
    m_room->addItems(rooms);
    m_room->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[A-Za-z0-9._-]{1,64}")), m_room));
    if (!suggestedRoom.isEmpty())
        m_room->setCurrentText(suggestedRoom);

    m_body = new QPlainTextEdit(this);
    m_body->setPlaceholderText(tr("Message to everyone in the room"));
    m_body->setTabChangesFocus(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Send"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_body, &QPlainTextEdit::textChanged, this, &SystemMessageDialog::updateOk);
    connect(m_room, &QComboBox::currentTextChanged, this, &SystemMessageDialog::updateOk);

    auto *form = new QFormLayout;
    form->addRow(tr("Room:"), m_room);
    form->addRow(tr("Message:"), m_body);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    resize(420, 220);
    updateOk();
}

void SystemMessageDialog::updateOk()
{
    m_ok->setEnabled(!m_room->currentText().isEmpty() &&
                     !m_body->toPlainText().trimmed().isEmpty());
}

SystemMessageRequest SystemMessageDialog::request() const
{
    return {m_room->currentText(), m_body->toPlainText().trimmed()};
}

} // namespace chatter::monitor

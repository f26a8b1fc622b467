// SPDX-License-Identifier: MIT
#include "preferences.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace chatter::ui {

namespace {

const QString NotifyKey = QStringLiteral("preferences/notify");
const QString TextSizeKey = QStringLiteral("preferences/messageTextPercent");

} // namespace

Preferences Preferences::load()
{
    QSettings settings;
    Preferences p;
    const int notify = settings.value(NotifyKey, int(p.notify)).toInt();
    if (notify >= int(Notify::AllMessages) && notify <= int(Notify::Never))
        p.notify = Notify(notify);
    p.messageTextPercent =
        qBound(80, settings.value(TextSizeKey, p.messageTextPercent).toInt(), 200);
    return p;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(NotifyKey, int(notify));
    settings.setValue(TextSizeKey, messageTextPercent);
}

PreferencesDialog::PreferencesDialog(const Preferences &current, QWidget *parent)
    : QDialog(parent), m_notify(new QComboBox(this)), m_textSize(new QSpinBox(this)),
      m_tokenLocation(new QLabel(this))
{
    setWindowTitle(tr("Preferences"));
    m_notify->setObjectName(QStringLiteral("notifyChoice"));
    m_notify->addItem(tr("Mentions and messages in other rooms"),
                      int(Preferences::Notify::AllMessages));
    m_notify->addItem(tr("Only mentions"), int(Preferences::Notify::Mentions));
    m_notify->addItem(tr("Never"), int(Preferences::Notify::Never));
    m_notify->setCurrentIndex(m_notify->findData(int(current.notify)));
    m_textSize->setObjectName(QStringLiteral("textSize"));
    m_textSize->setRange(80, 200);
    m_textSize->setSingleStep(10);
    m_textSize->setSuffix(QStringLiteral(" %"));
    m_textSize->setValue(current.messageTextPercent);

    auto *form = new QFormLayout;
    form->addRow(tr("&Notify me about:"), m_notify);
    form->addRow(tr("Message &text size:"), m_textSize);
    m_tokenLocation->setObjectName(QStringLiteral("tokenLocation"));
    m_tokenLocation->setWordWrap(true);
    m_tokenLocation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Session token:"), m_tokenLocation);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

void PreferencesDialog::setTokenLocation(const QString &where)
{
    m_tokenLocation->setText(tr("kept %1; your password is never stored").arg(where));
}

QString PreferencesDialog::tokenLocation() const
{
    return m_tokenLocation->text();
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p;
    p.notify = Preferences::Notify(m_notify->currentData().toInt());
    p.messageTextPercent = m_textSize->value();
    return p;
}

} // namespace chatter::ui

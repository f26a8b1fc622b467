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
const QString AppearanceKey = QStringLiteral("preferences/appearance");

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
    const int appearance = settings.value(AppearanceKey, int(p.appearance)).toInt();
    if (appearance >= int(Appearance::System) && appearance <= int(Appearance::Dark))
        p.appearance = Appearance(appearance);
    return p;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(NotifyKey, int(notify));
    settings.setValue(TextSizeKey, messageTextPercent);
    settings.setValue(AppearanceKey, int(appearance));
}

PreferencesDialog::PreferencesDialog(const Preferences &current, QWidget *parent)
    : QDialog(parent), m_notify(new QComboBox(this)), m_textSize(new QSpinBox(this)),
      m_appearance(new QComboBox(this)), m_tokenLocation(new QLabel(this))
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

    m_appearance->setObjectName(QStringLiteral("appearanceChoice"));
    m_appearance->addItem(tr("As the desktop"), int(Appearance::System));
    m_appearance->addItem(tr("Light"), int(Appearance::Light));
    m_appearance->addItem(tr("Dark"), int(Appearance::Dark));
    m_appearance->setCurrentIndex(m_appearance->findData(int(current.appearance)));

    auto *form = new QFormLayout;
    form->addRow(tr("&Notify me about:"), m_notify);
    form->addRow(tr("Message &text size:"), m_textSize);
    form->addRow(tr("&Colours:"), m_appearance);
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
    p.appearance = Appearance(m_appearance->currentData().toInt());
    return p;
}

} // namespace chatter::ui

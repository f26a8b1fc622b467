// SPDX-License-Identifier: MIT
#pragma once

#include "adminprompt.h"

#include <QDialog>

class QRadioButton;
class QSpinBox;

namespace chatter::monitor {

//! Ban a socket's nickname or its address for a number of minutes.
class BanDialog : public QDialog
{
    Q_OBJECT
public:
    BanDialog(const QString &nickname, const QHostAddress &address, QWidget *parent = nullptr);

    BanRequest request() const;

private:
    QString m_nickname;
    QHostAddress m_address;
    QRadioButton *m_byNickname = nullptr;
    QRadioButton *m_byAddress = nullptr;
    QSpinBox *m_minutes = nullptr;
};

} // namespace chatter::monitor

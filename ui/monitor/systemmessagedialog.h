// SPDX-License-Identifier: MIT
#pragma once

#include "adminprompt.h"

#include <QDialog>

class QComboBox;
class QPlainTextEdit;
class QPushButton;

namespace chatter::monitor {

//! Choose a room and write a message that everyone in it sees from "system".
class SystemMessageDialog : public QDialog
{
    Q_OBJECT
public:
    SystemMessageDialog(const QStringList &rooms, const QString &suggestedRoom,
                        QWidget *parent = nullptr);

    SystemMessageRequest request() const;

private:
    void updateOk();

    QComboBox *m_room = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace chatter::monitor

// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QLineEdit;
class QSpinBox;

namespace chatter::ui {

//! An admin's "Ban…": for how many minutes (0: until lifted) and why.
class BanDialog : public QDialog
{
    Q_OBJECT
public:
    explicit BanDialog(const QString &user, QWidget *parent = nullptr);

    int minutes() const;
    void setMinutes(int minutes);
    QString reason() const;
    void setReason(const QString &reason);

private:
    QSpinBox *m_minutes;
    QLineEdit *m_reason;
};

} // namespace chatter::ui

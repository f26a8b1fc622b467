// SPDX-License-Identifier: MIT
#pragma once

#include "systempalette.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSpinBox;

namespace chatter::ui {

//! The user's settings, kept in QSettings (GUI thread only).
struct Preferences
{
    enum class Notify
    {
        AllMessages, //!< mentions, and messages in rooms not in view
        Mentions,    //!< only messages that mention me
        Never
    };

    Notify notify = Notify::AllMessages;
    int messageTextPercent = 100; //!< message list font size, relative to the desktop's
    Appearance appearance = Appearance::System; //!< light, dark, or as the desktop says

    static Preferences load();
    void save() const;
};

//! Chat › Preferences: notifications, message text size and light/dark colours (applied on
//! OK), and where the session token is kept.
class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PreferencesDialog(const Preferences &current, QWidget *parent = nullptr);

    Preferences preferences() const;
    //! Says where the session token is kept (TokenStore::where()).
    void setTokenLocation(const QString &where);
    QString tokenLocation() const;

private:
    QComboBox *m_notify;
    QSpinBox *m_textSize;
    QComboBox *m_appearance;
    QLabel *m_tokenLocation;
};

} // namespace chatter::ui

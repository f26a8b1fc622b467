// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace chatter::ui {

//! The line above the composer while a reply or an edit is being written: "Replying to bob:
//! <the start of his message>" or "Editing your message", with a button (and Escape in the
//! composer) that cancels. Hidden otherwise. GUI thread.
class ComposerModeBar : public QWidget
{
    Q_OBJECT
public:
    enum class Mode
    {
        None,
        Reply,
        Edit
    };

    explicit ComposerModeBar(QWidget *parent = nullptr);

    void startReply(const QString &room, qint64 id, const QString &user, const QString &body);
    void startEdit(const QString &room, qint64 id);
    //! Back to plain sending; says so with cancelled() only when a mode was on.
    void cancel();

    Mode mode() const { return m_mode; }
    qint64 messageId() const { return m_id; }
    //! The conversation the mode was started in: switching away cancels it.
    const QString &room() const { return m_room; }
    QString text() const;

Q_SIGNALS:
    void cancelled();

private:
    void setMode(Mode mode, const QString &room, qint64 id);

    QLabel *m_label;
    QToolButton *m_cancel;
    Mode m_mode = Mode::None;
    qint64 m_id = 0;
    QString m_room;
};

} // namespace chatter::ui

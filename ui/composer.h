// SPDX-License-Identifier: MIT
#pragma once

#include <QPlainTextEdit>

namespace chatter::ui {

//! The message input: Enter sends, Shift+Enter starts a new line, Tab moves focus on.
class Composer : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);

    QSize sizeHint() const override;

Q_SIGNALS:
    //! The user pressed Enter on non-blank text; the composer is already cleared.
    void submitted(const QString &text);
    //! The user changed the text by typing (not by our own clear()).
    void edited();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    bool m_clearing = false;
};

} // namespace chatter::ui

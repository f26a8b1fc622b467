// SPDX-License-Identifier: MIT
#pragma once

#include "qrcode.h"

#include <QWidget>

#include <optional>

namespace chatter::monitor {

//! A QR code drawn crisp: every module a rectangle of a whole number of pixels, inside the
//! quiet zone, black on white whatever the theme (a reader wants dark modules on light). Lives
//! on the GUI thread.
class QrCodeView : public QWidget
{
    Q_OBJECT
public:
    explicit QrCodeView(QWidget *parent = nullptr);

    //! Shows the code of `text`; empty or unencodable text shows nothing.
    void setText(const QString &text);
    QString text() const { return m_text; }
    //! Device pixels per module at the widget's current size (at least 1).
    int moduleScale() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    //! Modules per side with the quiet zone; 0 without a code.
    int sideModules() const;
    QSize devicePixels() const;

    QString m_text;
    std::optional<server::QrCode> m_code;
};

} // namespace chatter::monitor

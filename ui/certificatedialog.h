// SPDX-License-Identifier: MIT
#pragma once

#include "certificatepins.h"

#include <QDialog>

class QPushButton;

namespace chatter::ui {

//! What the user sees when a wss:// server's certificate is not verified: the host, the
//! certificate's SHA-256 fingerprint (to compare with the one the server's monitor window
//! shows) and why verification failed. A first-seen certificate can be trusted (accept()
//! pins it); one that differs from the pinned one is refused, and the dialog only explains
//! that and offers to forget the old pin (accept() then means "forget"). Non-modal for the
//! event loop (opened with open()), window-modal for the user.
class CertificateDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CertificateDialog(client::UntrustedCertificate certificate, QWidget *parent = nullptr);

    const client::UntrustedCertificate &certificate() const { return m_certificate; }
    //! "Trust and connect", or "Forget the old certificate" when it changed.
    QPushButton *acceptButton() const { return m_accept; }

private:
    client::UntrustedCertificate m_certificate;
    QPushButton *m_accept = nullptr;
};

} // namespace chatter::ui

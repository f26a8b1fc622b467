// SPDX-License-Identifier: MIT
#include "certificatedialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace chatter::ui {
namespace {

//! A fingerprint on two lines of 16 bytes, in a fixed-width font, so it can be compared.
QLabel *fingerprintLabel(const QString &fingerprint, QWidget *parent)
{
    QString text = fingerprint;
    if (text.size() > 48)
        text.insert(48, QLatin1Char('\n'));
    auto *label = new QLabel(text, parent);
    label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

CertificateDialog::CertificateDialog(client::UntrustedCertificate certificate, QWidget *parent)
    : QDialog(parent), m_certificate(std::move(certificate))
{
    setObjectName(QStringLiteral("certificateDialog"));
    setWindowModality(Qt::WindowModal);
    const bool changed = m_certificate.changed();
    setWindowTitle(changed ? tr("Certificate changed") : tr("Untrusted certificate"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setObjectName(QStringLiteral("certificateMessage"));
    intro->setWordWrap(true);
    const QString &host = m_certificate.hostPort;
    if (changed) {
        intro->setText(
            tr("<b>The certificate of %1 has changed</b> since you trusted it, so Chatter "
               "refuses to connect: someone may be impersonating the server. If its "
               "administrator replaced the certificate, compare the new fingerprint with the "
               "one the server's window shows, forget the old certificate and connect again.")
                .arg(host.toHtmlEscaped()));
    } else {
        intro->setText(tr("<b>%1 presents a certificate that is not trusted.</b> Compare its "
                          "fingerprint with the one the server's window shows; if they are the "
                          "same, trust it: Chatter remembers it for this server and refuses a "
                          "different one later.")
                           .arg(host.toHtmlEscaped()));
    }
    layout->addWidget(intro);
    layout->addWidget(
        new QLabel(changed ? tr("New SHA-256 fingerprint:") : tr("SHA-256 fingerprint:"), this));
    QLabel *fingerprint = fingerprintLabel(m_certificate.fingerprint, this);
    fingerprint->setObjectName(QStringLiteral("certificateFingerprint"));
    layout->addWidget(fingerprint);
    if (changed) {
        layout->addWidget(new QLabel(tr("Trusted SHA-256 fingerprint:"), this));
        layout->addWidget(fingerprintLabel(m_certificate.pinnedFingerprint, this));
    }
    const QSslCertificate &cert = m_certificate.certificate;
    auto *details = new QLabel(
        tr("Issued to: %1\nIssued by: %2\nValid: %3 to %4\nVerification: %5")
            .arg(
                cert.subjectDisplayName(), cert.issuerDisplayName(),
                QLocale().toString(cert.effectiveDate().toLocalTime().date(), QLocale::ShortFormat),
                QLocale().toString(cert.expiryDate().toLocalTime().date(), QLocale::ShortFormat),
                m_certificate.errors.join(QStringLiteral("; "))),
        this);
    details->setWordWrap(true);
    layout->addWidget(details);

    auto *buttons = new QDialogButtonBox(this);
    m_accept =
        buttons->addButton(changed ? tr("&Forget the old certificate") : tr("&Trust and connect"),
                           QDialogButtonBox::AcceptRole);
    m_accept->setObjectName(QStringLiteral("certificateAcceptButton"));
    QPushButton *cancel =
        buttons->addButton(changed ? QDialogButtonBox::Close : QDialogButtonBox::Cancel);
    // Refusing is the safe answer, so it is the default.
    cancel->setDefault(true);
    m_accept->setAutoDefault(false);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

} // namespace chatter::ui

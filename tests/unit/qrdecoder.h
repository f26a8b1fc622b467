// SPDX-License-Identifier: MIT
// Reads a QR code back with a real decoder: the image is saved as PNG and handed to zbarimg
// (Debian's zbar-tools), as a phone's camera app would read it. Shared by tst_qrcode and the
// monitor's tests.
#pragma once

#include "expected.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

namespace chatter::testing {

//! The reason of a failed result, empty for a value: QVERIFY2 evaluates its message either way.
template <typename T> QString whyNot(const Expected<T> &result)
{
    return result ? QString() : result.error();
}

//! The text of the one QR code in `image`, or why zbarimg found none. `name` names the PNG
//! kept in `keepIn` (when given) for a look after a failure.
inline Expected<QString> decodeQrCode(const QImage &image,
                                      const QString &name = QStringLiteral("qr"),
                                      const QString &keepIn = {})
{
    QTemporaryDir scratch;
    const QString dir = keepIn.isEmpty() ? scratch.path() : keepIn;
    const QString png = QDir(dir).filePath(name + QStringLiteral(".png"));
    if (!image.save(png, "PNG"))
        return failure(QStringLiteral("cannot write %1").arg(png));
    QProcess zbar;
    zbar.start(QStringLiteral("zbarimg"),
               {QStringLiteral("--raw"), QStringLiteral("-q"), QStringLiteral("-Sdisable"),
                QStringLiteral("-Sqrcode.enable"), png});
    if (!zbar.waitForFinished(30000))
        return failure(QStringLiteral("zbarimg did not run: %1").arg(zbar.errorString()));
    if (zbar.exitStatus() != QProcess::NormalExit || zbar.exitCode() != 0)
        return failure(QStringLiteral("zbarimg found no QR code in %1 (exit %2): %3")
                           .arg(png)
                           .arg(zbar.exitCode())
                           .arg(QString::fromUtf8(zbar.readAllStandardError())));
    QString text = QString::fromUtf8(zbar.readAllStandardOutput());
    if (text.endsWith(QLatin1Char('\n')))
        text.chop(1);
    return text;
}

} // namespace chatter::testing

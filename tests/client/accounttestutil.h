// SPDX-License-Identifier: MIT
#pragma once

#include "accountclient.h"
#include "servertestutil.h"

#include <QProcess>
#include <QTest>

#include <optional>

//! Runs one AccountClient request and waits for its answer (at most 15 s).
inline chatter::client::AccountResult
waitFor(const std::function<void(chatter::client::AccountClient::Callback)> &request)
{
    std::optional<chatter::client::AccountResult> out;
    request([&out](const chatter::client::AccountResult &result) { out = result; });
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 15000)) {
        chatter::client::AccountResult none;
        none.error = QStringLiteral("no answer within 15 s");
        return none;
    }
    return *out;
}

//! `chatter-server account add NAME [--admin]` on `dataDir`, the password on stdin, as an
//! operator does; before the engine starts on that directory.
inline bool addAccountWithCli(const QString &dataDir, const QString &name, const QString &password,
                              bool admin)
{
    QProcess cli;
    QStringList args{QStringLiteral("account"), QStringLiteral("add"), name,
                     QStringLiteral("--data-dir"), dataDir};
    if (admin)
        args << QStringLiteral("--admin");
    cli.start(QStringLiteral(CHATTER_SERVER_BINARY), args);
    if (!cli.waitForStarted(10000))
        return false;
    cli.write(password.toUtf8() + '\n');
    cli.closeWriteChannel();
    if (!cli.waitForFinished(30000)) {
        cli.kill();
        cli.waitForFinished(5000);
        return false;
    }
    if (cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
        qWarning().noquote() << "account add failed:" << cli.readAllStandardError();
        return false;
    }
    return true;
}

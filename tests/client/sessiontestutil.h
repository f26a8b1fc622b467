// SPDX-License-Identifier: MIT
// People and sessions for tests against the real engine (TestServer): accounts and guest
// sessions made through the HTTP API, and ChatSessions connected with a room joined.
#pragma once

#include "accountclient.h"
#include "chatsession.h"
#include "messagemodel.h"
#include "personalchannel.h"
#include "servertestutil.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace sessiontest {

//! The password of every account the tests register.
inline const QString Password = QStringLiteral("correct horse battery");

//! Registers `nick` and answers its session (tokens, personal topic); invalid when refused.
inline chatter::client::Identity registered(const TestServer &server, const QString &nick)
{
    chatter::client::AccountClient accounts;
    accounts.setServer(server.address());
    std::optional<chatter::client::AccountResult> answer;
    accounts.registerAccount(
        nick, Password,
        [&answer](const chatter::client::AccountResult &result) { answer = result; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 15000) || !answer->ok())
        return {};
    return answer->identity;
}

//! A guest session (a token) for `nick`; invalid when refused.
inline chatter::client::Identity guest(const TestServer &server, const QString &nick)
{
    chatter::client::AccountClient accounts;
    accounts.setServer(server.address());
    std::optional<chatter::client::AccountResult> answer;
    accounts.enterAsGuest(
        nick, [&answer](const chatter::client::AccountResult &result) { answer = result; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 15000) || !answer->ok())
        return {};
    return answer->identity;
}

//! A session connected as the bare guest `nick` with `room` joined (and current); null when
//! the join did not come.
inline std::unique_ptr<chatter::client::ChatSession>
joinedSession(const TestServer &server, const QString &nick, const QString &room)
{
    auto session = std::make_unique<chatter::client::ChatSession>(fastOptions());
    QSignalSpy joined(session.get(), &chatter::client::ChatSession::roomJoined);
    session->connectToServer(server.address(), nick);
    session->joinRoom(room);
    if (!joined.wait(10000))
        return nullptr;
    return session;
}

//! The same with a session token (an account or a guest session).
inline std::unique_ptr<chatter::client::ChatSession>
joinedSession(const TestServer &server, const chatter::client::Identity &identity,
              const QString &room)
{
    auto session = std::make_unique<chatter::client::ChatSession>(fastOptions());
    QSignalSpy joined(session.get(), &chatter::client::ChatSession::roomJoined);
    session->connectToServer(server.address(), identity);
    session->joinRoom(room);
    if (!joined.wait(10000))
        return nullptr;
    return session;
}

//! A session signed in as `identity` with `room` joined (and current), its personal topic
//! joined too.
inline std::unique_ptr<chatter::client::ChatSession>
signedIn(const TestServer &server, const chatter::client::Identity &identity, const QString &room)
{
    auto session = joinedSession(server, identity, room);
    if (!session ||
        !QTest::qWaitFor([&] { return session->personal() && session->personal()->isJoined(); },
                         10000))
        return nullptr;
    return session;
}

//! `size` bytes of noise, the same for the same seed.
//! The bodies of a conversation's messages, system lines left out; none for no model.
inline QStringList bodies(const chatter::client::MessageModel *model)
{
    QStringList out;
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (!model->at(row).isSystem())
            out << model->at(row).body;
    }
    return out;
}

inline QByteArray randomBytes(qint64 size, quint32 seed = 42)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = char(generator.bounded(256));
    return bytes;
}

//! Writes `bytes` as `name` in `dir`; its path, or empty when that failed.
inline QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return file.fileName();
}

} // namespace sessiontest

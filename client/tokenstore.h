// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace chatter::client {

//! Where the desktop client keeps session tokens, one per server ("host:port"). Only the
//! token: a password is never stored. Asynchronous because a keychain answers over D-Bus;
//! callbacks run on the store's thread (the GUI thread) and never after it is destroyed.
class TokenStore : public QObject
{
    Q_OBJECT
public:
    enum class Kind
    {
        Keychain,    //!< the system keychain (Secret Service, KWallet …) through QtKeychain
        SettingsFile //!< the client's own settings file
    };
    Q_ENUM(Kind)
    using Loaded = std::function<void(const QString &token)>;
    using Done = std::function<void(bool ok, const QString &error)>;
    using Chosen = std::function<void(std::unique_ptr<TokenStore> store)>;

    using QObject::QObject;

    virtual Kind kind() const = 0;
    //! For the settings dialog: where the token is kept, in words.
    virtual QString where() const = 0;
    //! The token kept for `server`, empty when none.
    virtual void load(const QString &server, Loaded done) = 0;
    virtual void save(const QString &server, const QString &token, Done done) = 0;
    virtual void remove(const QString &server, Done done) = 0;

    //! The keychain when one answers on this desktop, else the settings file. The question
    //! is a read of a probe entry: "not found" and success mean a keychain is there; no
    //! backend, no D-Bus session or any other failure mean there is none.
    static void choose(Chosen done, QObject *context);
};

//! Tokens in QSettings (`sessions/<server>/token`): readable by anyone who can read the
//! user's files, as the settings file says in its dialog. The fallback without a keychain.
class SettingsTokenStore : public TokenStore
{
    Q_OBJECT
public:
    using TokenStore::TokenStore;

    Kind kind() const override { return Kind::SettingsFile; }
    QString where() const override;
    void load(const QString &server, Loaded done) override;
    void save(const QString &server, const QString &token, Done done) override;
    void remove(const QString &server, Done done) override;
};

//! Tokens in the system keychain, service "Chatter", one entry per server.
class KeychainTokenStore : public TokenStore
{
    Q_OBJECT
public:
    using TokenStore::TokenStore;

    static QString serviceName();
    Kind kind() const override { return Kind::Keychain; }
    QString where() const override;
    void load(const QString &server, Loaded done) override;
    void save(const QString &server, const QString &token, Done done) override;
    void remove(const QString &server, Done done) override;
};

} // namespace chatter::client

// SPDX-License-Identifier: MIT
#include "tokenstore.h"

#include <QPointer>
#include <QSettings>
#include <qt6keychain/keychain.h>

namespace chatter::client {

namespace {

QString settingsKey(const QString &server)
{
    // QSettings reads '/' as a group separator; a server address may have one (a URL).
    return QStringLiteral("sessions/") + QString(server).replace(QLatin1Char('/'), '_') +
           QStringLiteral("/token");
}

QString keychainKey(const QString &server)
{
    return QStringLiteral("session ") + server;
}

} // namespace

void TokenStore::choose(Chosen done, QObject *context)
{
    auto *probe = new QKeychain::ReadPasswordJob(KeychainTokenStore::serviceName());
    probe->setAutoDelete(true);
    probe->setInsecureFallback(false); // a plain file is our own fallback, said as such
    probe->setKey(QStringLiteral("probe"));
    QObject::connect(probe, &QKeychain::Job::finished, context,
                     [done = std::move(done)](QKeychain::Job *job) {
                         const bool keychain = job->error() == QKeychain::NoError ||
                                               job->error() == QKeychain::EntryNotFound;
                         if (keychain)
                             done(std::make_unique<KeychainTokenStore>());
                         else
                             done(std::make_unique<SettingsTokenStore>());
                     });
    probe->start();
}

QString SettingsTokenStore::where() const
{
    return tr("in the settings file %1 (no system keychain was found)").arg(QSettings().fileName());
}

void SettingsTokenStore::load(const QString &server, Loaded done)
{
    done(QSettings().value(settingsKey(server)).toString());
}

void SettingsTokenStore::save(const QString &server, const QString &token, Done done)
{
    QSettings settings;
    settings.setValue(settingsKey(server), token);
    settings.sync();
    if (done)
        done(settings.status() == QSettings::NoError, QString());
}

void SettingsTokenStore::remove(const QString &server, Done done)
{
    QSettings settings;
    settings.remove(settingsKey(server));
    settings.sync();
    if (done)
        done(settings.status() == QSettings::NoError, QString());
}

QString KeychainTokenStore::serviceName()
{
    return QStringLiteral("Chatter");
}

QString KeychainTokenStore::where() const
{
    return tr("in the system keychain (service \"%1\")").arg(serviceName());
}

void KeychainTokenStore::load(const QString &server, Loaded done)
{
    auto *job = new QKeychain::ReadPasswordJob(serviceName());
    job->setAutoDelete(true);
    job->setKey(keychainKey(server));
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job *j) {
        done(j->error() == QKeychain::NoError
                 ? static_cast<QKeychain::ReadPasswordJob *>(j)->textData()
                 : QString());
    });
    job->start();
}

void KeychainTokenStore::save(const QString &server, const QString &token, Done done)
{
    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setAutoDelete(true);
    job->setKey(keychainKey(server));
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job *j) {
        if (done)
            done(j->error() == QKeychain::NoError, j->errorString());
    });
    job->start();
}

void KeychainTokenStore::remove(const QString &server, Done done)
{
    auto *job = new QKeychain::DeletePasswordJob(serviceName());
    job->setAutoDelete(true);
    job->setKey(keychainKey(server));
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job *j) {
        // Nothing to delete is as good as deleted.
        const bool ok = j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound;
        if (done)
            done(ok, ok ? QString() : j->errorString());
    });
    job->start();
}

} // namespace chatter::client

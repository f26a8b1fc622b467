// SPDX-License-Identifier: MIT
#include "admincommands.h"

#include "auditlog.h"
#include "nicknamepolicy.h"
#include "passwords.h"
#include "schema.h"
#include "serverconfig.h"

#include <QCommandLineParser>
#include <QDir>
#include <QProcessEnvironment>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>
#include <QUuid>

#include <cstdio>
#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

namespace chatter::server {
namespace {

const QString Actor = QStringLiteral("cli");

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &message, int code = 1)
{
    err() << "chatter-server: " << message << Qt::endl;
    return code;
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

//! One line from stdin without its line end; false at the end of input.
bool readLine(std::string *line)
{
    if (!std::getline(std::cin, *line))
        return false;
    if (!line->empty() && line->back() == '\r')
        line->pop_back();
    return true;
}

//! A line typed at the terminal with echo off (the terminal is restored whatever happens).
bool readHidden(const QString &prompt, std::string *line)
{
    termios saved{};
    const bool terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= ECHONL;
        // TCSANOW: nothing typed is thrown away, and the prompt appears only once echo is off.
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    err() << prompt << Qt::flush;
    const bool read = readLine(line);
    if (terminal)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return read;
}

//! The new password: typed twice at a terminal, or the first line of stdin when stdin is not
//! a terminal (scripts, tests). Never a flag: flags end up in shell histories and `ps`.
Expected<QString> readNewPassword(const QString &display)
{
    std::string first;
    if (!isatty(STDIN_FILENO)) {
        if (!readLine(&first))
            return failure(QStringLiteral("no password on stdin"));
    } else {
        std::string again;
        if (!readHidden(QStringLiteral("Password for %1: ").arg(display), &first) ||
            !readHidden(QStringLiteral("Again: "), &again))
            return failure(QStringLiteral("no password given"));
        if (first != again)
            return failure(QStringLiteral("the passwords differ"));
    }
    const QString password = QString::fromStdString(first);
    if (const auto valid = passwords::checkNew(password); !valid)
        return failure(valid.error());
    return password;
}

//! The database of the data directory, migrated to this build's schema.
class Database
{
public:
    Database() : m_name(QUuid::createUuid().toString()) {}
    ~Database()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            if (db.isOpen())
                db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

    Expected<void> open(const QString &dataDir)
    {
        if (!QDir().mkpath(dataDir))
            return failure(QStringLiteral("cannot create the data directory %1").arg(dataDir));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("chatter.db")));
        if (!db.open())
            return failure(db.lastError().text());
        if (auto configured = schema::configure(db, true); !configured)
            return configured;
        return schema::migrate(db);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
};

struct Account
{
    qint64 id = 0;
    QString display;
};

//! The account that owns one of `keys`, if any.
Expected<Account> accountByKeys(QSqlDatabase &db, const QStringList &keys)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT a.id, a.display FROM account_keys k JOIN accounts a ON "
                                 "a.id = k.account_id WHERE k.key IN (?, ?) LIMIT 1"));
    query.addBindValue(keys.value(0));
    query.addBindValue(keys.value(keys.size() - 1));
    if (!query.exec())
        return failure(query.lastError().text());
    if (!query.next())
        return Account{};
    return Account{query.value(0).toLongLong(), query.value(1).toString()};
}

Expected<Account> existingAccount(QSqlDatabase &db, const QString &name)
{
    auto account = accountByKeys(db, NicknamePolicy::keys(name).keys());
    if (account && account->id == 0)
        return failure(QStringLiteral("no account %1").arg(name));
    return account;
}

//! Runs `work` in one transaction with an audit entry of the change.
Expected<void> transaction(QSqlDatabase &db, const std::function<Expected<void>()> &work,
                           const AuditLog::Entry &audit)
{
    if (!db.transaction())
        return failure(db.lastError().text());
    auto done = work();
    if (done)
        done = AuditLog::write(db, audit);
    if (done && !db.commit())
        done = failure(db.lastError().text());
    if (!done)
        db.rollback();
    return done;
}

Expected<void> exec(QSqlQuery &query)
{
    if (!query.exec())
        return failure(query.lastError().text());
    return {};
}

AuditLog::Entry auditEntry(const QString &action, const QString &target, const QString &detail)
{
    AuditLog::Entry entry;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.actor = Actor;
    entry.action = action;
    entry.target = target;
    entry.detail = detail;
    return entry;
}

int accountAdd(QSqlDatabase &db, const QString &name, bool admin)
{
    const auto verdict = NicknamePolicy::examine(name);
    if (!verdict)
        return fail(QStringLiteral("%1: %2").arg(name, verdict.error()));
    const auto taken = accountByKeys(db, verdict->keys());
    if (!taken)
        return fail(taken.error());
    if (taken->id != 0)
        return fail(QStringLiteral("%1: taken by %2").arg(verdict->display, taken->display));
    const auto password = readNewPassword(verdict->display);
    if (!password)
        return fail(password.error());
    const auto hash = passwords::hash(*password);
    if (!hash)
        return fail(hash.error());
    const QString role = admin ? QStringLiteral("admin") : QStringLiteral("member");
    const auto added = transaction(
        db,
        [&]() -> Expected<void> {
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral("INSERT INTO accounts (display, password_hash, role, "
                                          "created_at) VALUES (?, ?, ?, ?)"));
            insert.addBindValue(verdict->display);
            insert.addBindValue(QString::fromLatin1(*hash));
            insert.addBindValue(role);
            insert.addBindValue(now());
            if (auto done = exec(insert); !done)
                return done;
            const qint64 id = insert.lastInsertId().toLongLong();
            // A key already taken fails here too (PRIMARY KEY), should another writer have
            // registered a look-alike since the check above.
            for (const QString &key : verdict->keys()) {
                QSqlQuery keyInsert(db);
                keyInsert.prepare(
                    QStringLiteral("INSERT INTO account_keys (key, account_id) VALUES (?, ?)"));
                keyInsert.addBindValue(key);
                keyInsert.addBindValue(id);
                if (auto done = exec(keyInsert); !done)
                    return done;
            }
            return {};
        },
        auditEntry(QStringLiteral("account_add"), verdict->display, role));
    if (!added)
        return fail(added.error());
    QTextStream(stdout) << "added " << role << ' ' << verdict->display << Qt::endl;
    return 0;
}

int accountPasswd(QSqlDatabase &db, const QString &name)
{
    const auto account = existingAccount(db, name);
    if (!account)
        return fail(account.error());
    const auto password = readNewPassword(account->display);
    if (!password)
        return fail(password.error());
    const auto hash = passwords::hash(*password);
    if (!hash)
        return fail(hash.error());
    int revoked = 0;
    const auto changed = transaction(
        db,
        [&]() -> Expected<void> {
            QSqlQuery update(db);
            update.prepare(QStringLiteral("UPDATE accounts SET password_hash = ? WHERE id = ?"));
            update.addBindValue(QString::fromLatin1(*hash));
            update.addBindValue(account->id);
            if (auto done = exec(update); !done)
                return done;
            // A new password ends every session: whoever knew the old one is signed out.
            QSqlQuery revoke(db);
            revoke.prepare(QStringLiteral("DELETE FROM sessions WHERE account_id = ?"));
            revoke.addBindValue(account->id);
            if (auto done = exec(revoke); !done)
                return done;
            revoked = revoke.numRowsAffected();
            return {};
        },
        auditEntry(QStringLiteral("account_passwd"), account->display, QString()));
    if (!changed)
        return fail(changed.error());
    QTextStream(stdout) << "changed the password of " << account->display << "; " << revoked
                        << " sessions revoked" << Qt::endl;
    return 0;
}

int accountRemove(QSqlDatabase &db, const QString &name)
{
    const auto account = existingAccount(db, name);
    if (!account)
        return fail(account.error());
    const auto removed = transaction(
        db,
        [&]() -> Expected<void> {
            for (const QString &sql :
                 {QStringLiteral("DELETE FROM sessions WHERE account_id = ?"),
                  QStringLiteral("DELETE FROM account_keys WHERE account_id = ?"),
                  QStringLiteral("DELETE FROM accounts WHERE id = ?")}) {
                QSqlQuery query(db);
                query.prepare(sql);
                query.addBindValue(account->id);
                if (auto done = exec(query); !done)
                    return done;
            }
            return {};
        },
        auditEntry(QStringLiteral("account_remove"), account->display, QString()));
    if (!removed)
        return fail(removed.error());
    QTextStream(stdout) << "removed " << account->display << Qt::endl;
    return 0;
}

int accountList(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT display, role, created_at, last_seen_at FROM accounts "
                                   "ORDER BY display COLLATE NOCASE, id")))
        return fail(query.lastError().text());
    QTextStream out(stdout);
    out << qSetFieldWidth(34) << Qt::left << "ACCOUNT" << qSetFieldWidth(8) << "ROLE"
        << qSetFieldWidth(26) << "CREATED" << qSetFieldWidth(0) << "LAST SEEN" << Qt::endl;
    while (query.next()) {
        const QString lastSeen =
            query.value(3).isNull() ? QStringLiteral("never") : query.value(3).toString();
        out << qSetFieldWidth(34) << query.value(0).toString() << qSetFieldWidth(8)
            << query.value(1).toString() << qSetFieldWidth(26) << query.value(2).toString()
            << qSetFieldWidth(0) << lastSeen << Qt::endl;
    }
    return 0;
}

int audit(QSqlDatabase &db, int limit)
{
    const auto entries = AuditLog::read(db, limit);
    if (!entries)
        return fail(entries.error());
    QTextStream out(stdout);
    for (const AuditLog::Entry &e : *entries) {
        out << e.at.toString(Qt::ISODateWithMs) << '\t' << e.actor << '\t' << e.action << '\t'
            << e.target << '\t' << e.address << '\t' << e.detail << Qt::endl;
    }
    return 0;
}

} // namespace

std::optional<int> runAdminCommand(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command != QLatin1StringView("account") && command != QLatin1StringView("audit"))
        return std::nullopt;

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Chatter accounts and audit log, on the database of --data-dir.\n"
                       "  account add NAME [--admin]   register NAME (password from the "
                       "terminal, or one line on stdin)\n"
                       "  account passwd NAME          set a new password; ends its sessions\n"
                       "  account list                 every account with its role\n"
                       "  account remove NAME          delete the account and its sessions\n"
                       "  audit [--limit N]            the newest audit log entries"));
    parser.addHelpOption();
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QStringLiteral("Directory of the database (default ~/.local/share/chatter-server) "
                       "[env: CHATTER_DATA_DIR]."),
        QStringLiteral("dir"));
    const QCommandLineOption admin(QStringLiteral("admin"),
                                   QStringLiteral("account add: an administrator."));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("audit: how many entries (default 100)."),
                                   QStringLiteral("n"));
    parser.addOptions({dataDir, admin, limit});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("account or audit"));
    if (!parser.parse(arguments))
        return fail(parser.errorText(), 2);
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    const QStringList words = parser.positionalArguments();
    // Not silently the SQLite file of the data directory while the server runs on PostgreSQL.
    if (!QProcessEnvironment::systemEnvironment()
             .value(QStringLiteral("CHATTER_DATABASE"))
             .isEmpty())
        return fail(QStringLiteral("account and audit work on the SQLite store of --data-dir "
                                   "only; with CHATTER_DATABASE (PostgreSQL) they are not "
                                   "supported yet"),
                    2);

    ServerConfig config;
    config.dataDir =
        parser.isSet(dataDir)
            ? parser.value(dataDir)
            : QProcessEnvironment::systemEnvironment().value(QStringLiteral("CHATTER_DATA_DIR"));
    int entries = 100;
    if (parser.isSet(limit)) {
        bool ok = false;
        entries = parser.value(limit).toInt(&ok);
        if (!ok || entries < 1)
            return fail(QStringLiteral("--limit: expected a positive count"), 2);
    }

    const QString sub = words.value(1);
    const QString name = words.value(2);
    const bool needsName = sub == QLatin1StringView("add") || sub == QLatin1StringView("passwd") ||
                           sub == QLatin1StringView("remove");
    if (command == QLatin1StringView("audit")) {
        if (words.size() != 1)
            return fail(QStringLiteral("usage: chatter-server audit [--limit N]"), 2);
    } else if (!(needsName && words.size() == 3) &&
               !(sub == QLatin1StringView("list") && words.size() == 2)) {
        return fail(QStringLiteral("usage: chatter-server account add NAME [--admin] | passwd "
                                   "NAME | list | remove NAME"),
                    2);
    }
    if (parser.isSet(admin) && sub != QLatin1StringView("add"))
        return fail(QStringLiteral("--admin goes with account add"), 2);

    Database database;
    if (const auto opened = database.open(config.effectiveDataDir()); !opened)
        return fail(QStringLiteral("cannot open the database in %1: %2")
                        .arg(config.effectiveDataDir(), opened.error()));
    QSqlDatabase db = database.db();
    if (command == QLatin1StringView("audit"))
        return audit(db, entries);
    if (sub == QLatin1StringView("add"))
        return accountAdd(db, name, parser.isSet(admin));
    if (sub == QLatin1StringView("passwd"))
        return accountPasswd(db, name);
    if (sub == QLatin1StringView("remove"))
        return accountRemove(db, name);
    return accountList(db);
}

} // namespace chatter::server

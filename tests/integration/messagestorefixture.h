// SPDX-License-Identifier: MIT
#pragma once

#include "mailbox.h"
#include "messagestore.h"
#include "storelocation.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>

class QThread;

//! What the store tests share: one MessageStore on a thread of its own (as the engine runs it)
//! on the database a test class puts in m_location, and the ways they feed and check it. The
//! test classes tst_MessageStore (both stores), tst_MessageStoreSqlite and
//! tst_MessageStorePostgres derive from it. The fixture and m_results live on the test thread,
//! the store on its own thread until stopStore().
class MessageStoreFixture
{
public:
    MessageStoreFixture() = default;
    ~MessageStoreFixture();
    MessageStoreFixture(const MessageStoreFixture &) = delete;
    MessageStoreFixture &operator=(const MessageStoreFixture &) = delete;

protected:
    //! A message of `room` by ann at a fixed time.
    static chatter::server::StoredMessage msg(const QString &room, const QString &body);

    bool postgres() const { return m_location.isPostgres(); }
    //! A connection of the test's own to the test's database (close and remove it by name).
    QSqlDatabase openDirect(const QString &name);
    //! Opens a store on m_location on a new thread; nullptr (and `error`) when it did not open.
    chatter::server::MessageStore *startStore(chatter::server::MessageStore::Options options,
                                              QString *error = nullptr);
    void stopStore();
    //! Appends each message and waits until all have committed (a test failure otherwise).
    QList<chatter::server::StoredMessage>
    appendAll(const QList<chatter::server::StoredMessage> &messages);
    chatter::server::ChangeOutcome changeNow(chatter::server::MessageChange change);
    //! Runs `job` on the store thread with its connection and waits for it.
    void runOnStore(const std::function<void(QSqlDatabase &)> &job);

    chatter::server::StoreLocation m_location;
    QThread *m_thread = nullptr;
    chatter::server::Mailbox m_results{nullptr}; //!< where the store hands this thread its results
    chatter::server::MessageStore *m_store = nullptr;
};

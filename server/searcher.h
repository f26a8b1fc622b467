// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "searchquery.h"
#include "searchsnippet.h"
#include "storelocation.h"

#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace chatter::server {

class Conversations;
class Mailbox;

//! The server's search thread (docs/files-and-search.md): full-text queries over the history
//! with its own read-only connection: FTS5 on SQLite, tsvector on PostgreSQL (docs/cluster.md,
//! "Search on PostgreSQL"). A query over a million messages may take a
//! while; it must never hold a worker's event loop, so workers hand their searches here and
//! get the results back on their mailbox.
//!
//! A plain std::thread with a std::mutex-guarded queue, like PasswordPool (and for its reason,
//! docs/architecture.md). The connection and everything it prepares belong to that thread.
//! search() is thread-safe.
class Searcher
{
public:
    //! What a search may read, decided by the channel and checked again on every page.
    struct Scope
    {
        //! A room or DM topic: that conversation only (its key; `in:` is ignored).
        QString room;
        //! The personal topic: every conversation this account may read (Conversations for
        //! rooms, the DM keys that name `folded`); `in:` narrows it.
        qint64 accountId = 0;
        QString folded;

        static Scope conversation(const QString &key) { return {key, 0, {}}; }
        static Scope account(qint64 id, const QString &folded) { return {{}, id, folded}; }
    };
    struct Request
    {
        SearchQuery query;
        Scope scope;
        int limit = 20;
        //! Where the page starts: results to skip (ranked), or messages older than this id
        //! (filters only, newest first).
        qint64 offset = 0;
        qint64 beforeId = 0; //!< 0: from the newest
    };
    struct Hit
    {
        QString room;
        qint64 id = 0;
        QString user;
        QString at;
        SearchSnippet snippet;
    };
    struct Result
    {
        QList<Hit> hits;
        bool more = false;
    };
    using Done = std::function<void(const Expected<Result> &result)>;

    //! `conversations` (may be null: every room is public) says who may read a private room on
    //! SQLite; on PostgreSQL the committed `private_rooms` and `room_members` say it.
    Searcher(StoreLocation location, const Conversations *conversations);
    //! stop()s.
    ~Searcher();
    Searcher(const Searcher &) = delete;
    Searcher &operator=(const Searcher &) = delete;

    //! Any thread. `done` runs on `replyTo`'s thread; never once stop() was called.
    void search(Request request, Mailbox *replyTo, Done done);
    //! Finishes the search in progress and ends the thread; queued searches and later ones are
    //! dropped (their `done` never runs). The object stays usable (it refuses nothing, answers
    //! nothing), so workers that still hold it during a shutdown need no lock.
    void stop();

    //! The same search, run on the calling thread with its own connection: for tests and the
    //! benchmark tool.
    static Expected<Result> runOnce(const StoreLocation &location,
                                    const Conversations *conversations, const Request &request);

private:
    class Connection;
    void work();

    StoreLocation m_location;
    const Conversations *m_conversations;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void(Connection &)>> m_jobs;
    bool m_closing = false; //!< guarded by m_mutex
    std::mutex m_joinMutex; //!< one stop() joins the thread
    std::thread m_thread;
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonValue>
#include <QObject>

namespace chatter::client {

class ChatSession;
class PhoenixChannel;
class SearchResultsModel;

//! Full-text search over history (docs/files-and-search.md, "Search"): `search {query, limit,
//! cursor}` on the personal topic (every conversation an account may read) or on one
//! conversation's topic (a guest's only choice, or "this conversation"). Results go into
//! results(), grouped by conversation; fetchMore() asks for the next page with the cursor.
//! Owned by ChatSession; GUI thread. A new search makes the answers of the old one stale:
//! they are dropped, never mixed in.
class Search : public QObject
{
    Q_OBJECT
public:
    enum class Scope
    {
        Everywhere,  //!< the personal topic; without one (a guest), the given conversation
        Conversation //!< the given conversation only
    };
    Q_ENUM(Scope)

    //! Results per page (the server's default and what it allows up to 50).
    static constexpr int PageSize = 20;

    explicit Search(ChatSession *session, QObject *parent = nullptr);

    SearchResultsModel *results() const { return m_results; }
    //! Whether Scope::Everywhere searches everywhere: a registered account's personal topic.
    bool canSearchEverywhere() const;
    //! Clears the results and sends the first page's request; `room` is the conversation for
    //! Scope::Conversation (and Everywhere without a personal topic). False, with failed(),
    //! when there is no joined channel to ask.
    bool start(const QString &query, Scope scope, const QString &room = {});
    //! The next page of the current search, when there is one and none is loading.
    void fetchMore();
    bool canFetchMore() const { return !m_cursor.isNull() && !m_busy && !m_query.isEmpty(); }
    bool isBusy() const { return m_busy; }
    QString query() const { return m_query; }
    //! Forgets the query and the results.
    void clear();

Q_SIGNALS:
    //! A page came in: `count` results in it (the model holds every page so far).
    void pageLoaded(int count);
    //! The server refused (`"empty query"`, `"search is off"` …) or did not answer.
    void failed(const QString &reason);
    void busyChanged(bool busy);

private:
    PhoenixChannel *channelFor(Scope scope, const QString &room) const;
    void request(const QJsonValue &cursor);
    void setBusy(bool busy);

    ChatSession *m_session;
    SearchResultsModel *m_results;
    QString m_query;
    Scope m_scope = Scope::Everywhere;
    QString m_room;
    //! The server's opaque cursor; null when there is no next page.
    QJsonValue m_cursor = QJsonValue::Null;
    bool m_busy = false;
    //! Bumped by every start() and clear(): answers to older requests are stale.
    quint64 m_generation = 0;
};

} // namespace chatter::client

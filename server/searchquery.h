// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace chatter::server {

//! A search query as a user types it (docs/files-and-search.md), taken apart: the full-text
//! terms, rendered for each store so that nothing the user types reaches the engine's own
//! syntax (an FTS5 expression of quoted strings; PostgreSQL tsquery functions with one bound
//! value per term), and the `from:` and `in:` filters. Pure: no database, any thread.
struct SearchQuery
{
    static constexpr int MaxLength = 256;
    //! Characters a prefix needs before its `*`; a shorter one is a plain word.
    static constexpr int MinPrefix = 2;

    //! `in:general` / `in:#general` (a room) or `in:@bob` (the DM with bob).
    struct Place
    {
        enum class Kind
        {
            Room,
            Direct
        };
        Kind kind = Kind::Room;
        QString name; //!< a room's name as typed; a nickname case-folded

        bool operator==(const Place &) const = default;
    };

    //! One full-text term: a word or a phrase (its words in order), or a prefix (`depl*`).
    struct Term
    {
        QString text;
        bool prefix = false;

        bool operator==(const Term &) const = default;
    };
    //! A PostgreSQL tsquery: SQL text with one `?` per term, and the values to bind.
    struct Bound
    {
        QString sql;
        QStringList values;
    };

    //! The terms, all of which a message must match; empty when the query has only filters.
    QList<Term> terms;
    //! The FTS5 MATCH expression of the terms.
    QString match;
    //! Case-folded nicknames; a message must be by each of them (all terms must match).
    QStringList from;
    QList<Place> in;

    //! Only filters: the result is those messages, newest first.
    bool filtersOnly() const { return terms.isEmpty(); }

    //! The query, or "empty query" / "query too long".
    static Expected<SearchQuery> parse(const QString &text);
    //! `term` as one FTS5 string: in double quotes, its own quotes doubled.
    static QString quoted(const QString &term);
    //! The terms as a tsquery of the `chatter_search` configuration (docs/cluster.md, "Search
    //! on PostgreSQL"): a word or phrase is `phraseto_tsquery` of its text (plain text, no
    //! syntax), a prefix `to_tsquery` of prefixLexeme(); joined with `&&`. Empty: no terms.
    Bound tsquery() const;
    //! `depl` as the tsquery prefix `'depl':*`: one quoted lexeme, its quotes doubled and its
    //! backslashes escaped, so no character of it is an operator.
    static QString prefixLexeme(const QString &stem);
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace chatter::server {

//! A search query as a user types it (docs/files-and-search.md), taken apart: the full-text
//! part as an FTS5 expression in which every term is quoted (nothing of FTS5's own syntax
//! reaches it), and the `from:` and `in:` filters. Pure: no database, any thread.
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

    //! The FTS5 MATCH expression; empty when the query has only filters.
    QString match;
    //! Case-folded nicknames; a message must be by each of them (all terms must match).
    QStringList from;
    QList<Place> in;

    //! Only filters: the result is those messages, newest first.
    bool filtersOnly() const { return match.isEmpty(); }

    //! The query, or "empty query" / "query too long".
    static Expected<SearchQuery> parse(const QString &text);
    //! `term` as one FTS5 string: in double quotes, its own quotes doubled.
    static QString quoted(const QString &term);
};

} // namespace chatter::server

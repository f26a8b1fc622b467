// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonArray>
#include <QList>
#include <QPair>
#include <QString>

namespace chatter::server {

//! A search result's text: plain text and the matched words in it as [start, length] in UTF-16
//! code units (docs/files-and-search.md). Pure, any thread.
struct SearchSnippet
{
    //! What FTS5's snippet() and PostgreSQL's ts_headline() are asked to put around a match:
    //! control characters, never markup.
    static constexpr QChar Open = QChar(0x02);
    static constexpr QChar Close = QChar(0x03);
    //! Words of a snippet (FTS5's snippet() is asked for as many).
    static constexpr int Words = 12;

    QString text;
    QList<QPair<int, int>> highlights;

    //! From snippet()'s output: the markers taken out, their places noted. `body` is the
    //! message's text: if it holds a marker character itself, the places cannot be told from
    //! its text, so the snippet keeps its text without the markers and has no highlights.
    static SearchSnippet fromMarked(const QString &marked, const QString &body);
    //! From ts_headline()'s output (PostgreSQL), which marks matches as snippet() does but adds
    //! no `…`: fromMarked(), then `…` before and after where the text (markers removed) is not
    //! the start or the end of `body`; the highlights move with it.
    static SearchSnippet fromHeadline(const QString &marked, const QString &body);
    //! The first Words words of `body` with `…` where cut (a query of only filters).
    static SearchSnippet leading(const QString &body);

    QJsonArray highlightsJson() const;
};

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractItemModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

#include <functional>
#include <optional>

namespace chatter::client {

//! One hit of `search` (docs/files-and-search.md): where it is, who wrote it, and a plain-text
//! snippet with the matched words as [start, length] ranges in UTF-16 code units (QString's).
struct SearchResult
{
    QString topic;
    QString room; //!< the conversation key: a room's name or `dm:<a>:<b>`
    qint64 id = 0;
    QString user;
    QDateTime at;
    QString snippet;
    QList<std::pair<int, int>> highlights;

    //! Nullopt without a room or an id; highlights outside the snippet are dropped, ranges
    //! reaching past its end are cut there (the text is the server's, the painting ours).
    static std::optional<SearchResult> fromJson(const QJsonObject &json);
};

//! Search results grouped by conversation: the top level is one row per conversation, in
//! the order of its best-ranked result; the results of a conversation are its children, in the
//! server's order (relevance, then newest). Later pages (the cursor) add to existing groups.
//! GUI thread.
class SearchResultsModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Role
    {
        GroupRole = Qt::UserRole + 1, //!< true for a conversation row
        RoomRole,                     //!< the conversation key
        TopicRole,
        TitleRole,      //!< what the room list calls the conversation (setTitleFunction)
        CountRole,      //!< a conversation row: its results held
        IdRole,         //!< a result: the message id
        UserRole,       //!< a result: its author
        AtRole,         //!< a result: QDateTime
        SnippetRole,    //!< a result: plain text
        HighlightsRole, //!< a result: QVariantList of QVariantList{start, length}
    };

    explicit SearchResultsModel(QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    //! How a conversation row is titled (ChatSession::titleOf: a DM's other side, a group's
    //! members); the key itself without one.
    void setTitleFunction(std::function<QString(const QString &room)> title);
    void clear();
    //! A page of results, in the server's order.
    void appendPage(const QList<SearchResult> &page);
    //! The result at a child index; null for a conversation row or an invalid index.
    const SearchResult *resultAt(const QModelIndex &index) const;
    //! All results held (every group).
    int resultCount() const;
    int groupCount() const { return int(m_groups.size()); }

private:
    struct Group
    {
        QString room;
        QString topic;
        QList<SearchResult> results;
    };
    int groupOf(const QString &room) const;

    QList<Group> m_groups;
    std::function<QString(const QString &)> m_title;
};

} // namespace chatter::client

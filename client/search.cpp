// SPDX-License-Identifier: MIT
#include "search.h"

#include "chatsession.h"
#include "personalchannel.h"
#include "phoenixchannel.h"
#include "push.h"
#include "roomlistmodel.h"
#include "roomsession.h"
#include "searchresultsmodel.h"
#include "topics.h"

#include <QJsonArray>
#include <QJsonObject>

namespace chatter::client {

namespace {

constexpr QLatin1StringView SearchEvent("search");

} // namespace

Search::Search(ChatSession *session, QObject *parent)
    : QObject(parent), m_session(session), m_results(new SearchResultsModel(this))
{
    m_results->setTitleFunction([this](const QString &room) {
        // Groups are named as the room list names them: a DM by its other side.
        switch (m_session->rooms()->kind(room)) {
        case RoomListModel::Kind::Direct:
            return QStringLiteral("@") + m_session->titleOf(room);
        case RoomListModel::Kind::Group:
            return m_session->titleOf(room);
        default:
            break;
        }
        if (topics::isDmKey(room)) {
            // A DM not listed (yet): `dm:<a>:<b>`, named by the side that is not me.
            const QStringList sides = room.mid(3).split(QLatin1Char(':'));
            return QStringLiteral("@") +
                   (sides.value(0) == m_session->nickname() ? sides.value(1) : sides.value(0));
        }
        return QStringLiteral("#") + room;
    });
}

bool Search::canSearchEverywhere() const
{
    return m_session->personal() && m_session->personal()->isJoined();
}

PhoenixChannel *Search::channelFor(Scope scope, const QString &room) const
{
    if (scope == Scope::Everywhere && canSearchEverywhere())
        return m_session->personal()->channel();
    RoomSession *conversation = m_session->room(room);
    return conversation && conversation->isJoined() ? conversation->channel() : nullptr;
}

bool Search::start(const QString &query, Scope scope, const QString &room)
{
    clear();
    m_query = query.trimmed();
    m_scope = scope;
    m_room = room;
    if (m_query.isEmpty())
        return false;
    if (!channelFor(scope, room)) {
        Q_EMIT failed(tr("not connected to a conversation to search"));
        return false;
    }
    request(QJsonValue::Null);
    return true;
}

void Search::fetchMore()
{
    if (canFetchMore())
        request(m_cursor);
}

void Search::clear()
{
    ++m_generation;
    m_query.clear();
    m_cursor = QJsonValue::Null;
    m_results->clear();
    setBusy(false);
}

void Search::request(const QJsonValue &cursor)
{
    PhoenixChannel *channel = channelFor(m_scope, m_room);
    if (!channel) {
        Q_EMIT failed(tr("not connected to a conversation to search"));
        return;
    }
    QJsonObject payload{{QStringLiteral("query"), m_query}, {QStringLiteral("limit"), PageSize}};
    if (!cursor.isNull())
        payload.insert(QStringLiteral("cursor"), cursor);
    setBusy(true);
    const quint64 generation = m_generation;
    Push *push = channel->push(SearchEvent, payload);
    connect(push, &Push::replied, this,
            [this, generation](const QString &status, const QJsonValue &response) {
                if (generation != m_generation)
                    return;
                setBusy(false);
                const QJsonObject answer = response.toObject();
                if (status != QLatin1String("ok")) {
                    m_cursor = QJsonValue::Null;
                    Q_EMIT failed(answer.value(QLatin1String("reason")).toString(tr("refused")));
                    return;
                }
                QList<SearchResult> page;
                for (const QJsonValue &value : answer.value(QLatin1String("results")).toArray()) {
                    if (auto result = SearchResult::fromJson(value.toObject()))
                        page.append(*result);
                }
                // An empty page ends the paging even if a cursor came with it.
                const QJsonValue next = answer.value(QLatin1String("cursor"));
                m_cursor = page.isEmpty() || next.isUndefined() ? QJsonValue::Null : next;
                m_results->appendPage(page);
                Q_EMIT pageLoaded(int(page.size()));
            });
    connect(push, &Push::timeout, this, [this, generation] {
        if (generation != m_generation)
            return;
        setBusy(false);
        Q_EMIT failed(tr("no answer from the server"));
    });
}

void Search::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

} // namespace chatter::client

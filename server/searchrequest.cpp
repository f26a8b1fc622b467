// SPDX-License-Identifier: MIT
#include "searchrequest.h"

#include "channelcontext.h"
#include "topics.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace chatter::server::searchrequest {
namespace {

QString digest(const QString &topic, const QString &query)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(topic.toUtf8());
    hash.addData(QByteArrayView("\n", 1));
    hash.addData(query.toUtf8());
    return QString::fromLatin1(hash.result().left(9).toBase64(QByteArray::Base64UrlEncoding));
}

QJsonObject hitJson(const Searcher::Hit &hit)
{
    return {{QStringLiteral("topic"), topics::conversationTopic(hit.room)},
            {QStringLiteral("room"), hit.room},
            {QStringLiteral("id"), hit.id},
            {QStringLiteral("user"), hit.user},
            {QStringLiteral("at"), hit.at},
            {QStringLiteral("snippet"), hit.snippet.text},
            {QStringLiteral("highlights"), hit.snippet.highlightsJson()}};
}

ChannelReply refuse(const char *reason)
{
    return ChannelReply::error(QString::fromLatin1(reason));
}

} // namespace

QString encodeCursor(const Cursor &cursor, const QString &topic, const QString &query)
{
    QJsonObject object{{QStringLiteral("d"), digest(topic, query)}};
    if (cursor.beforeId > 0)
        object.insert(QStringLiteral("b"), cursor.beforeId);
    else
        object.insert(QStringLiteral("o"), cursor.offset);
    return QString::fromLatin1(
        QJsonDocument(object)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<Cursor> decodeCursor(const QString &text, const QString &topic, const QString &query)
{
    if (text.size() > 200)
        return std::nullopt;
    const auto bytes = QByteArray::fromBase64Encoding(
        text.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!bytes)
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(*bytes).object();
    if (object.value(QLatin1String("d")).toString() != digest(topic, query))
        return std::nullopt;
    const auto whole = [](const QJsonValue &v) -> qint64 {
        const double d = v.toDouble(-1);
        return v.isDouble() && d >= 0 && d <= 9e15 && d == double(qint64(d)) ? qint64(d) : -1;
    };
    Cursor cursor;
    if (object.contains(QLatin1String("b"))) {
        cursor.beforeId = whole(object.value(QLatin1String("b")));
        if (cursor.beforeId <= 0 || object.size() != 2)
            return std::nullopt;
    } else {
        cursor.offset = whole(object.value(QLatin1String("o")));
        if (cursor.offset < 0 || object.size() != 2)
            return std::nullopt;
    }
    return cursor;
}

HandleResult handle(ChannelContext &context, const InboundEvent &in, const QString &topic,
                    Searcher::Scope scope)
{
    Searcher *searcher = context.searcher();
    if (!searcher)
        return HandleResult::replyWith(refuse("search is off"));
    const QJsonObject request = in.payload.toObject();
    const QString text = request.value(QLatin1String("query")).toString();
    auto query = SearchQuery::parse(text);
    if (!query)
        return HandleResult::replyWith(ChannelReply::error(query.error()));
    int limit = DefaultLimit;
    if (const QJsonValue value = request.value(QLatin1String("limit")); !value.isUndefined()) {
        const double d = value.toDouble(-1);
        if (!value.isDouble() || d < 1 || d != double(qint64(d)))
            return HandleResult::replyWith(refuse("limit must be a positive number"));
        limit = int(std::min<double>(d, MaxLimit));
    }
    Cursor cursor;
    if (const QJsonValue value = request.value(QLatin1String("cursor"));
        !value.isUndefined() && !value.isNull()) {
        const auto decoded =
            value.isString() ? decodeCursor(value.toString(), topic, text) : std::nullopt;
        if (!decoded || (decoded->beforeId > 0) != query->filtersOnly())
            return HandleResult::replyWith(refuse("invalid cursor"));
        cursor = *decoded;
    }
    Searcher::Request job;
    job.query = std::move(*query);
    job.scope = std::move(scope);
    job.limit = limit;
    job.offset = cursor.offset;
    job.beforeId = cursor.beforeId;
    const bool filtersOnly = job.query.filtersOnly();
    ChannelContext *replyContext = &context;
    const ReplyHandle handle = in.replyHandle;
    searcher->search(
        std::move(job), context.replyMailbox(),
        [replyContext, handle, topic, text, cursor,
         filtersOnly](const Expected<Searcher::Result> &result) {
            if (!result) {
                replyContext->completeReply(handle, ChannelReply::error(result.error()));
                return;
            }
            QJsonArray hits;
            for (const Searcher::Hit &hit : result->hits)
                hits.append(hitJson(hit));
            QJsonValue next = QJsonValue::Null;
            if (result->more && !result->hits.isEmpty()) {
                Cursor after;
                if (filtersOnly)
                    after.beforeId = result->hits.last().id;
                else
                    after.offset = cursor.offset + result->hits.size();
                next = encodeCursor(after, topic, text);
            }
            replyContext->completeReply(
                handle, ChannelReply::ok(QJsonObject{{QStringLiteral("results"), hits},
                                                     {QStringLiteral("cursor"), next}}));
        });
    return HandleResult::deferReply();
}

} // namespace chatter::server::searchrequest

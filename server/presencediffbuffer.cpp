// SPDX-License-Identifier: MIT
#include "presencediffbuffer.h"

#include "jsontext.h"

#include <algorithm>
#include <vector>

namespace chatter::server {
namespace {

using Metas = QList<std::pair<QString, QByteArray>>;

void appendKey(QByteArray &out, const QString &key)
{
    jsontext::appendString(out, key);
    out.append(":{\"metas\":[");
}

//! {key: {"metas": [...]}, ...}: a key's metas grouped, in the order they came in.
void appendPresences(QByteArray &out, const Metas &metas)
{
    out.append('{');
    if (metas.size() == 1) {
        // Almost every diff: one join or one leave.
        appendKey(out, metas.front().first);
        out.append(metas.front().second);
        out.append("]}");
    } else if (!metas.isEmpty()) {
        std::vector<const std::pair<QString, QByteArray> *> byKey;
        byKey.reserve(size_t(metas.size()));
        for (const auto &meta : metas)
            byKey.push_back(&meta);
        std::stable_sort(byKey.begin(), byKey.end(),
                         [](const auto *a, const auto *b) { return a->first < b->first; });
        const QString *key = nullptr;
        for (const auto *meta : byKey) {
            if (key && *key == meta->first) {
                out.append(',');
            } else {
                if (key)
                    out.append("]},");
                key = &meta->first;
                appendKey(out, *key);
            }
            out.append(meta->second);
        }
        out.append("]}");
    }
    out.append('}');
}

QByteArray metaText(const PresenceMeta &meta)
{
    QByteArray text;
    text.reserve(160);
    meta.appendJson(text);
    return text;
}

} // namespace

void PresenceDiffBuffer::add(const QString &topic, const PresenceDiff &diff)
{
    if (diff.key.isEmpty())
        return;
    if (diff.joined)
        add(topic, Side::Joins, diff.key, metaText(*diff.joined));
    if (diff.left)
        add(topic, Side::Leaves, diff.key, metaText(*diff.left));
}

void PresenceDiffBuffer::add(const QString &topic, Side side, const QString &key,
                             QByteArray metaJson)
{
    auto it = m_topics.find(topic);
    if (it == m_topics.end()) {
        it = m_topics.insert(topic, {});
        m_order.append(topic);
    }
    (side == Side::Joins ? it->joins : it->leaves).append({key, std::move(metaJson)});
}

QByteArray PresenceDiffBuffer::merged(const Pending &pending)
{
    QByteArray out;
    qsizetype size = 32;
    for (const auto &[key, meta] : pending.joins)
        size += key.size() + meta.size() + 16;
    for (const auto &[key, meta] : pending.leaves)
        size += key.size() + meta.size() + 16;
    out.reserve(size);
    out.append("{\"joins\":");
    appendPresences(out, pending.joins);
    out.append(",\"leaves\":");
    appendPresences(out, pending.leaves);
    out.append('}');
    return out;
}

QList<PresenceDiffBuffer::TopicDiff> PresenceDiffBuffer::take()
{
    QList<TopicDiff> diffs;
    diffs.reserve(m_order.size());
    for (const QString &topic : std::as_const(m_order))
        diffs.append({topic, merged(m_topics[topic])});
    m_topics.clear();
    m_order.clear();
    return diffs;
}

QByteArray PresenceDiffBuffer::take(const QString &topic)
{
    const auto it = m_topics.constFind(topic);
    if (it == m_topics.cend())
        return {};
    QByteArray diff = merged(*it);
    m_topics.erase(it);
    m_order.removeOne(topic);
    return diff;
}

} // namespace chatter::server

// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace chatter {

//! A channel route: an exact topic, or a prefix ending in `*` (Phoenix's "room:*").
class TopicPattern
{
public:
    explicit TopicPattern(QString pattern);

    bool matches(QStringView topic) const;
    //! What `*` stood for in a matching topic ("lobby" for "chatter:room:lobby").
    QString wildcardPart(QStringView topic) const;
    const QString &pattern() const { return m_pattern; }

private:
    QString m_pattern;
    QString m_prefix;
    bool m_wildcard = false;
};

} // namespace chatter

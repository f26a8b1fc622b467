// SPDX-License-Identifier: MIT
#include "topicpattern.h"

namespace chatter {

TopicPattern::TopicPattern(QString pattern) : m_pattern(std::move(pattern))
{
    m_wildcard = m_pattern.endsWith(QLatin1Char('*'));
    m_prefix = m_wildcard ? m_pattern.chopped(1) : m_pattern;
}

bool TopicPattern::matches(QStringView topic) const
{
    return m_wildcard ? topic.startsWith(m_prefix) : topic == m_prefix;
}

QString TopicPattern::wildcardPart(QStringView topic) const
{
    if (!m_wildcard || !matches(topic))
        return {};
    return topic.mid(m_prefix.size()).toString();
}

} // namespace chatter

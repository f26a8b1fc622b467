// SPDX-License-Identifier: MIT
#include "logging.h"

namespace chatter::server {

Q_LOGGING_CATEGORY(lcNet, "chatter.net")
Q_LOGGING_CATEGORY(lcProtocol, "chatter.protocol")
Q_LOGGING_CATEGORY(lcChannel, "chatter.channel")
Q_LOGGING_CATEGORY(lcIdentity, "chatter.identity")
Q_LOGGING_CATEGORY(lcCluster, "chatter.cluster")
Q_LOGGING_CATEGORY(lcDiscovery, "chatter.discovery")

void setupLogging(const QString &level)
{
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
        "%{if-warning}warning%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif} "
        "%{category}: %{message}"));
    QString rules;
    if (level == QLatin1String("debug"))
        rules = QStringLiteral("chatter.*.debug=true");
    else if (level == QLatin1String("warning"))
        rules = QStringLiteral("chatter.*.debug=false\nchatter.*.info=false");
    else if (level == QLatin1String("error"))
        rules =
            QStringLiteral("chatter.*.debug=false\nchatter.*.info=false\nchatter.*.warning=false");
    else
        rules = QStringLiteral("chatter.*.debug=false\nchatter.*.info=true");
    QLoggingCategory::setFilterRules(rules);
}

} // namespace chatter::server

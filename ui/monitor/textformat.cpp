// SPDX-License-Identifier: MIT
#include "textformat.h"

#include <QLocale>

namespace chatter::monitor::TextFormat {

QString bytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString rate(double value)
{
    return QLocale().toString(value, 'f', value < 10 ? 1 : 0);
}

QString peer(const QString &peer)
{
    static const QLatin1String mapped("::ffff:");
    if (peer.startsWith(mapped) && peer.count(QLatin1Char('.')) == 3)
        return peer.mid(mapped.size());
    return peer;
}

} // namespace chatter::monitor::TextFormat

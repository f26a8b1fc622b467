// SPDX-License-Identifier: MIT
#include "longpollbody.h"

namespace chatter::server {

QList<LongPollFrame> splitLongPollBody(QByteArrayView contentType, const QByteArray &body,
                                       int maxFrames)
{
    QList<LongPollFrame> frames;
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArrayView mediaType =
        (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
    if (mediaType != "application/x-ndjson") {
        frames.append({body, false});
        return frames;
    }
    for (const QByteArray &raw : body.split('\n')) {
        if (frames.size() >= maxFrames)
            break;
        const QByteArray line = raw.endsWith('\r') ? raw.chopped(1) : raw;
        if (line.isEmpty())
            continue;
        if (line.startsWith('[')) {
            frames.append({line, false});
            continue;
        }
        const auto decoded =
            QByteArray::fromBase64Encoding(line, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            frames.append({line, false}); // malformed either way: let the decoder say why
            continue;
        }
        frames.append({*decoded, true});
    }
    return frames;
}

} // namespace chatter::server

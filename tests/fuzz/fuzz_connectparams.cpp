// SPDX-License-Identifier: MIT
// Socket connect params (the query string of /socket/websocket and /socket/longpoll) on
// arbitrary text. Invariants: every leaf is a string, objects nest at most eight deep, no key
// is empty, and empty `&` segments change nothing.
#include "connectparams.h"
#include "fuzzcheck.h"

#include <QJsonObject>

namespace {

void checkObject(const QJsonObject &object, int depth)
{
    FUZZ_CHECK(depth <= 8);
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        FUZZ_CHECK(!it.key().isEmpty());
        if (it.value().isObject())
            checkObject(it.value().toObject(), depth + 1);
        else
            FUZZ_CHECK(it.value().isString());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QString query = QString::fromUtf8(chatter::fuzz::bytesOf(data, size));
    const QJsonObject params = chatter::connectparams::parse(query);
    checkObject(params, 1);
    const QString padded = QStringLiteral("&&") + query + QStringLiteral("&");
    FUZZ_CHECK(chatter::connectparams::parse(padded) == params);
    return 0;
}

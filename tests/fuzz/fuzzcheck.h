// SPDX-License-Identifier: MIT
// What the libFuzzer harnesses share: an invariant check that stops the run with a message
// (libFuzzer then saves the input as a crash), and the entry point's signature.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDebug>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

//! A broken invariant: says which and where, then aborts so libFuzzer keeps the input.
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__,            \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace chatter::fuzz {

//! The fuzzer's bytes without a copy.
inline QByteArrayView bytesOf(const uint8_t *data, size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

//! Silences Qt's own warnings (QJsonDocument and friends are chatty on bad input), so a long
//! session's output is libFuzzer's progress lines only.
inline void quietQt()
{
    static const bool once = [] {
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
        return true;
    }();
    (void)once;
}

} // namespace chatter::fuzz

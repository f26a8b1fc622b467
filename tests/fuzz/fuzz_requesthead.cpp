// SPDX-License-Identifier: MIT
// The front door's request-head parser on arbitrary bytes. Invariants: Incomplete exactly when
// no blank line has arrived; a complete head's size ends at the first blank line, and that
// prefix alone parses to the same head (bytes after it, a body or a pipelined request, change
// nothing); the target is a path; header names are lower case without separators and no name
// or value carries a control character (QHttpServer, which parses the same bytes behind the
// front door, would read those differently or not at all).
#include "fuzzcheck.h"
#include "requesthead.h"

using chatter::server::RequestHead;

namespace {

bool sameHead(const RequestHead &a, const RequestHead &b)
{
    return a.method == b.method && a.path == b.path && a.query == b.query &&
           a.version == b.version && a.headers == b.headers && a.size == b.size;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QByteArray buffer = chatter::fuzz::bytesOf(data, size).toByteArray();
    RequestHead head;
    const auto status = RequestHead::parse(buffer, &head);
    const qsizetype blank = buffer.indexOf("\r\n\r\n");
    FUZZ_CHECK((status == RequestHead::Status::Incomplete) == (blank < 0));
    if (status != RequestHead::Status::Complete)
        return 0;

    FUZZ_CHECK(head.size == blank + 4);
    FUZZ_CHECK(head.path.startsWith(QLatin1Char('/')));
    FUZZ_CHECK(head.version.startsWith("HTTP/1."));
    FUZZ_CHECK(!head.method.isEmpty());
    for (auto it = head.headers.cbegin(); it != head.headers.cend(); ++it) {
        FUZZ_CHECK(!it.key().isEmpty());
        FUZZ_CHECK(it.key() == it.key().toLower());
        FUZZ_CHECK(!it.key().contains(':') && !it.key().contains('\n') && !it.key().contains('\r'));
        for (const char c : it.value())
            FUZZ_CHECK(uchar(c) >= 0x20 || c == '\t');
    }
    // A token found by headerHasToken is one of the value's comma-separated parts.
    if (head.headerHasToken("connection", "upgrade"))
        FUZZ_CHECK(head.header("connection").toLower().contains("upgrade"));

    RequestHead prefixOnly;
    FUZZ_CHECK(RequestHead::parse(buffer.left(head.size), &prefixOnly) ==
               RequestHead::Status::Complete);
    FUZZ_CHECK(sameHead(head, prefixOnly));
    return 0;
}

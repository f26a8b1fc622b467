// SPDX-License-Identifier: MIT
// Upload forms (multipart/form-data) as FileApi reads them: the first line is the request's
// Content-Type, the rest its body. Invariants: a boundary is 1-70 bytes; a part that is found is
// named `file`, is a piece of the body that a delimiter line follows, and holds no delimiter
// line itself.
#include "fuzzcheck.h"
#include "multipart.h"

namespace multipart = chatter::server::multipart;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chatter::fuzz::quietQt();
    const QByteArray input = chatter::fuzz::bytesOf(data, size).toByteArray();
    const qsizetype newline = input.indexOf('\n');
    const QByteArray contentType = newline < 0 ? input : input.left(newline);
    const QByteArray body = newline < 0 ? QByteArray() : input.mid(newline + 1);

    const QByteArray boundary = multipart::boundaryOf(contentType);
    FUZZ_CHECK(boundary.size() <= 70);
    const auto part = multipart::find(body, boundary, "file");
    if (boundary.isEmpty()) {
        FUZZ_CHECK(!part);
        return 0;
    }
    if (!part)
        return 0;
    FUZZ_CHECK(part->name == "file");
    const QByteArray delimiter = "\r\n--" + boundary;
    // Where the part lies: the first place its bytes are followed by a delimiter line.
    bool placed = false;
    for (qsizetype at = body.indexOf(part->body); at >= 0 && !placed;
         at = body.indexOf(part->body, at + 1)) {
        const qsizetype end = at + part->body.size();
        if (body.mid(end, delimiter.size()) != delimiter)
            continue;
        const QByteArray after = body.mid(end + delimiter.size(), 2);
        placed =
            after == "--" || after == "\r\n" || after.startsWith(' ') || after.startsWith('\t');
    }
    FUZZ_CHECK(placed);
    for (qsizetype at = part->body.indexOf(delimiter); at >= 0;
         at = part->body.indexOf(delimiter, at + 1)) {
        const QByteArray after = part->body.mid(at + delimiter.size(), 2);
        // Inside the part, the boundary is only ever followed by other bytes (or the end of
        // the part, where the real delimiter's CRLF begins).
        FUZZ_CHECK(
            !(after == "--" || after == "\r\n" || after.startsWith(' ') || after.startsWith('\t')));
    }
    return 0;
}

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the hand-made seed corpus in corpus/<harness>/ (valid inputs and edge cases).

Run it again after changing a seed here; regression inputs for fixed bugs are committed
beside these files as regress-*, and this script leaves them alone.
"""
import base64
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = b"\x11\x22\x33\x44"


def write(harness, name, data):
    folder = os.path.join(HERE, "corpus", harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def frame(opcode, payload, fin=True, masked=True, rsv=0):
    first = (0x80 if fin else 0) | rsv | opcode
    mask_bit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head = bytes([first, mask_bit | n])
    elif n < 65536:
        head = bytes([first, mask_bit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([first, mask_bit | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    body = bytes(b ^ KEY[i % 4] for i, b in enumerate(payload))
    return head + KEY + body


def websocket_reader():
    # Three control bytes (limit index, stop-after, read-size seed), then the stream.
    h = "fuzz_websocketreader"
    write(h, "text", b"\x06\x00\x01" + frame(1, b'[null,"1","phoenix","heartbeat",{}]'))
    write(h, "binary", b"\x06\x00\x02" + frame(2, b"\x00\x01\x01\x07\x04" + b"11chatter:room:lobbyping\xff"))
    write(h, "fragmented", b"\x06\x00\x03" + frame(1, b"hel", fin=False) + frame(9, b"p") +
          frame(0, b"lo", fin=False) + frame(0, "wörld".encode()))
    write(h, "ping-pong-close", b"\x06\x00\x04" + frame(9, b"hi") + frame(10, b"") +
          frame(8, struct.pack(">H", 1000) + b"bye"))
    write(h, "close-empty", b"\x06\x00\x05" + frame(8, b""))
    write(h, "ext16", b"\x07\x00\x06" + frame(2, b"x" * 300))
    write(h, "too-big", b"\x02\x00\x07" + frame(1, b"x" * 200))
    write(h, "too-big-fragments", b"\x03\x00\x08" + frame(1, b"x" * 100, fin=False) + frame(0, b"y" * 100))
    write(h, "ext64-huge", b"\x09\x00\x09" + bytes([0x82, 0xFF]) + b"\x7f" + b"\xff" * 7 + KEY)
    write(h, "unmasked", b"\x06\x00\x0a" + frame(1, b"hi", masked=False))
    write(h, "rsv", b"\x06\x00\x0b" + frame(1, b"hi", rsv=0x40))
    write(h, "bad-utf8", b"\x06\x00\x0c" + frame(1, b"\xc0\xaf"))
    write(h, "bad-close-code", b"\x06\x00\x0d" + frame(8, struct.pack(">H", 1005)))
    write(h, "sink-stops", b"\x06\x01\x0e" + frame(1, b"a") + frame(1, b"b"))
    write(h, "partial-header", b"\x06\x00\x0f" + frame(1, b"x" * 130)[:3])


def v1():
    h = "fuzz_v1jsonserializer"
    write(h, "join", '{"topic":"chatter:room:lobby","event":"phx_join","payload":{"nickname":"ann"},"ref":"1"}')
    write(h, "join-ref", '{"topic":"t","event":"phx_join","payload":{},"ref":"2","join_ref":"2"}')
    write(h, "heartbeat", '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":null}')
    write(h, "numeric-ref", '{"topic":"t","event":"e","payload":[1,2.5,-0,1e308,true,null],"ref":12}')
    write(h, "unicode", '{"topic":"t","event":"new_msg","payload":{"body":"h\\u00e9 \\ud83d\\ude00 ☃"},"ref":"3"}')
    write(h, "lone-surrogate", '{"topic":"t","event":"e","payload":{"body":"\\ud800"},"ref":"4"}')
    write(h, "missing-key", '{"topic":"t","event":"e","payload":{}}')
    write(h, "bad-escape", '{"topic":"t","event":"e","payload":"\\q","ref":"1"}')
    write(h, "array", '[null,"1","t","e",{}]')


def v2():
    h = "fuzz_v2serializer"
    write(h, "join", '\x00["1","1","chatter:room:lobby","phx_join",{"nickname":"ann","last_seen_id":0}]')
    write(h, "heartbeat", '\x00[null,"2","phoenix","heartbeat",{}]')
    write(h, "extra-elements", '\x00["1","3","t","e",{},"x"]')
    write(h, "numbers", '\x00[1,2.5,"t","e",[0,-1,1.7976931348623157e308,5e-324]]')
    write(h, "nested", '\x00["1","4","t","e",{"a":{"b":{"c":[[[]]]}}}]')
    write(h, "unicode", '\x00["1","5","t","e",{"body":"\\ud83d\\ude00 \\u0000 ☃"}]')
    write(h, "lone-surrogate", '\x00["1","6","t","e",{"body":"\\udc00"}]')
    write(h, "short", '\x00["1","7","t"]')
    write(h, "binary-push", b"\x01" + b"\x00\x01\x01\x01\x04" + b"12tping" + b"\x00\xff")
    write(h, "binary-null-refs", b"\x01" + b"\x00\x00\x00\x01\x01" + b"te")
    write(h, "binary-bad-kind", b"\x01" + b"\x02\x00\x01\x01" + b"te")


def binary():
    h = "fuzz_binarycodec"
    write(h, "push", b"\x00\x01\x01\x13\x04" + b"12chatter:room:lobbyping" + bytes(range(256)))
    write(h, "null-refs", b"\x00\x00\x00\x01\x01te")
    write(h, "empty-payload", b"\x00\x02\x02\x01\x01abcdte")
    write(h, "utf8-fields", b"\x00\x00\x00\x03\x02" + "t☃".encode()[:3] + "é".encode())
    write(h, "truncated", b"\x00\xff\xff\xff\xff")
    write(h, "bad-utf8", b"\x00\x00\x00\x01\x01\xfft")
    write(h, "long-fields", b"\x00\xff\xff\xff\xff" + b"a" * 1020)


def request_head():
    h = "fuzz_requesthead"
    write(h, "upgrade", "GET /socket/websocket?vsn=2.0.0&nickname=ann HTTP/1.1\r\nHost: 127.0.0.1:4000\r\n"
          "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:4000\r\n\r\n")
    write(h, "longpoll-post", "POST /socket/longpoll?vsn=2.0.0&token=0.1.abc HTTP/1.1\r\nHost: x\r\n"
          "Content-Type: application/x-ndjson\r\nContent-Length: 5\r\n\r\n[1,2]")
    write(h, "pipelined", "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /app.js HTTP/1.1\r\nHost: a\r\n\r\n")
    write(h, "repeated-header", "GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
    write(h, "bare-lf", "GET / HTTP/1.0\nHost: a\n\r\n\r\n")
    write(h, "incomplete", "GET / HTTP/1.1\r\nHost: a\r\n")
    write(h, "no-colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n")
    write(h, "http2", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    write(h, "utf8-path", "GET /r\xc3\xa9\xff?q=%41 HTTP/1.1\r\n\r\n".encode("latin-1"))


def connect_params():
    h = "fuzz_connectparams"
    write(h, "plain", "vsn=2.0.0&nickname=ann&client=web")
    write(h, "nested", "user[name]=ann&user[meta][x]=1&ids[0]=a&ids[1]=b")
    write(h, "encoded", "nickname=a%20b+c&x=%E2%98%83&bad=%zz&%=1")
    write(h, "empty", "&&=&a=&=b&c")
    write(h, "deep", "a" + "[b]" * 9 + "=1&" + "c" + "[d]" * 7 + "=2")
    write(h, "malformed", "a[b=1&a]b[=2&[x]=3&a[]=4&a[b]c=5")
    write(h, "overwrite", "a=1&a[b]=2&a=3")


def long_poll_body():
    # Byte 0: low nibble picks the Content-Type (0 is ndjson), high nibble the frame cap.
    h = "fuzz_longpollbody"
    push = b"\x00\x01\x01\x01\x04" + b"12tping"
    write(h, "ndjson", b"\x00" + b'[null,"1","phoenix","heartbeat",{}]\n["1","2","t","phx_join",{}]\n')
    write(h, "ndjson-binary", b"\x01" + base64.b64encode(push) + b"\r\n" + b'["1","3","t","e",{}]')
    write(h, "ndjson-cap", b"\x20" + b"\n".join([b'[null,"1","phoenix","heartbeat",{}]'] * 4))
    write(h, "ndjson-blank-lines", b"\x00" + b"\n\r\n\n[]\r\r\n")
    write(h, "json", b"\x03" + b'[null,"1","phoenix","heartbeat",{}]')
    write(h, "bad-base64", b"\x00" + b"not base64!\n====\n")


def multipart_form():
    # The first line is the Content-Type, the rest the body (as FileApi reads an upload).
    h = "fuzz_multipart"
    ct = b"multipart/form-data; boundary=XyZ\n"
    part = (b'Content-Disposition: form-data; name="file"; filename="cat.png"\r\n'
            b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n")
    write(h, "one-file", ct + b"--XyZ\r\n" + part + b"\r\n--XyZ--\r\n")
    write(h, "two-fields", ct + b'preamble\r\n--XyZ\r\nContent-Disposition: form-data; name="note"'
          b"\r\n\r\nhello\r\n--XyZ\r\n" + part + b"\r\n--XyZ--")
    write(h, "boundary-in-content", ct + b"--XyZ\r\n" + part + b"\r\n--XyZ-not\r\n--XyZ \r\n")
    write(h, "quoted-boundary", b'multipart/form-data; boundary="a b"\n--a b\r\n'
          b"Content-Disposition: form-data; name=file; filename*=UTF-8''%C3%BC\r\n\r\nx\r\n--a b--")
    write(h, "unterminated", ct + b"--XyZ\r\n" + part)
    write(h, "no-boundary", b"multipart/form-data\n--XyZ\r\n\r\nx\r\n--XyZ--")


def message_markup():
    # The shared cases of the desktop and browser renderers (tests/data/markup-cases.json).
    h = "fuzz_messagemarkup"
    cases = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "markup-cases.json")
    with open(cases, encoding="utf-8") as f:
        for i, case in enumerate(json.load(f)):
            write(h, "case-%02d" % i, case["body"])


def proxy_header():
    # What a trusted balancer's connection opens with (haproxy.org proxy-protocol.txt, 2.2);
    # 192.0.2.0/24 and 2001:db8::/32 are documentation addresses.
    h = "fuzz_proxyheader"
    sig = b"\r\n\r\n\x00\r\nQUIT\n"

    def header(ver_cmd, fam, body, length=None):
        return sig + bytes([ver_cmd, fam]) + struct.pack(">H", len(body) if length is None else length) + body

    v4 = bytes([192, 0, 2, 7, 127, 0, 0, 1]) + struct.pack(">HH", 51234, 4001)
    v6 = bytes.fromhex("20010db8000000000000000000000007") + bytes(15) + b"\x01" + struct.pack(">HH", 443, 4001)
    tlvs = b"\x01\x00\x08http/1.1" + b"\x03\x00\x04ZZZZ" + b"\x04\x00\x02\x00\x00"
    write(h, "tcp4", header(0x21, 0x11, v4))
    write(h, "tcp6", header(0x21, 0x21, v6))
    write(h, "tcp4-tlvs", header(0x21, 0x11, v4 + tlvs))
    write(h, "tcp4-then-http", header(0x21, 0x11, v4) + b"GET /healthz HTTP/1.1\r\n\r\n")
    write(h, "local", header(0x20, 0x00, b""))
    write(h, "proxy-udp4", header(0x21, 0x12, v4))
    write(h, "proxy-unix", header(0x21, 0x31, bytes(216)))
    write(h, "partial", header(0x21, 0x11, v4)[:20])
    write(h, "too-long", header(0x21, 0x11, b"", length=513))
    write(h, "too-short", header(0x21, 0x21, v4))
    write(h, "version-1", header(0x11, 0x11, v4))
    write(h, "http", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")


for make in (websocket_reader, v1, v2, binary, request_head, connect_params, long_poll_body,
             multipart_form, message_markup, proxy_header):
    make()

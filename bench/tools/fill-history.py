#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fills a chatter.db (made by the server itself, so its schema is the server's) with N messages
quickly: one transaction of plain INSERTs, no index kept while filling (the server is started
with --search off first, which leaves no triggers; the next start with --search on rebuilds the
index, and the benchmark times that).

Words follow a Zipf law over a made-up vocabulary, so there are very common words, rare ones
and everything in between. Deterministic for a given seed. Prints the words the search benchmark
asks for as key=value lines.
"""
import argparse
import random
import sqlite3
import sys
import time


def vocabulary(rng, size):
    syllables = [c + v for c in 'bcdfghjklmnprstvwz' for v in 'aeiou']
    words, seen = [], set()
    while len(words) < size:
        w = ''.join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('db')
    ap.add_argument('--messages', type=int, default=1_000_000)
    ap.add_argument('--rooms', type=int, default=100)
    ap.add_argument('--users', type=int, default=200)
    ap.add_argument('--vocabulary', type=int, default=30_000)
    ap.add_argument('--seed', type=int, default=18)
    args = ap.parse_args()
    if not 1 <= args.messages <= 5_000_000:
        sys.exit('fill-history: --messages must be 1..5000000')

    rng = random.Random(args.seed)
    words = vocabulary(rng, args.vocabulary)
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cum.append(total)

    db = sqlite3.connect(args.db)
    triggers = db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                          "AND name LIKE 'messages_fts%'").fetchone()[0]
    if triggers:
        sys.exit('fill-history: the index is being kept; start the server with --search off first')
    started = time.time()
    db.execute('BEGIN')
    batch = []
    base = 1_760_000_000
    for i in range(args.messages):
        n = rng.randint(4, 18)
        body = ' '.join(rng.choices(words, cum_weights=cum, k=n))
        room = f'r{rng.randrange(args.rooms)}'
        user = f'user{rng.randrange(args.users)}'
        t = base + i * 2
        at = time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime(t))
        batch.append((room, user, body, at, f'k:{user}'))
        if len(batch) == 50_000:
            db.executemany('INSERT INTO messages (room, user, body, at, author) VALUES (?,?,?,?,?)',
                           batch)
            batch.clear()
    if batch:
        db.executemany('INSERT INTO messages (room, user, body, at, author) VALUES (?,?,?,?,?)',
                       batch)
    db.execute('INSERT OR REPLACE INTO rooms (name, created_at, last_message_id, last_activity_at, '
               'message_count) SELECT room, MIN(at), MAX(id), MAX(at), COUNT(*) FROM messages '
               'GROUP BY room')
    db.execute('COMMIT')
    db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    db.close()
    print(f'fill_messages={args.messages}')
    print(f'fill_s={time.time() - started:.1f}')
    print(f'word_common={words[0]}')
    print(f'word_second={words[1]}')
    print(f'word_rare={words[20000 if len(words) > 20000 else -1]}')
    print(f'prefix={words[2][:3]}')
    print('user=user17')


if __name__ == '__main__':
    main()

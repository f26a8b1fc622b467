#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The CPU the search index adds to storing messages (bench/search.sh): inserts N messages in
transactions of `--batch` (the store's group commits under load are of this order) into a
database, and prints the CPU time per message. Run once with the index's triggers in place and
once on a copy without them: the difference is what keeping the index costs the store thread.
"""
import argparse
import random
import sqlite3
import time

ap = argparse.ArgumentParser()
ap.add_argument('db')
ap.add_argument('--messages', type=int, default=50_000)
ap.add_argument('--batch', type=int, default=10)
ap.add_argument('--drop-index', action='store_true', help='drop the triggers first (a copy!)')
args = ap.parse_args()
args.messages = min(args.messages, 500_000)

db = sqlite3.connect(args.db, isolation_level=None)
db.execute('PRAGMA journal_mode=WAL')
db.execute('PRAGMA synchronous=OFF')  # the fsync is not what is measured
if args.drop_index:
    for name in ('insert', 'delete', 'update'):
        db.execute(f'DROP TRIGGER IF EXISTS messages_fts_{name}')
words = [w for (body,) in db.execute('SELECT body FROM messages LIMIT 2000') for w in body.split()]
rng = random.Random(7)
bodies = [' '.join(rng.choices(words, k=rng.randint(4, 18))) for _ in range(args.messages)]
start = time.process_time()
for i in range(0, args.messages, args.batch):
    db.execute('BEGIN')
    db.executemany("INSERT INTO messages (room, user, body, at, author) "
                   "VALUES ('r1', 'user1', ?, '2026-12-05T09:00:00.000Z', '')",
                   [(b,) for b in bodies[i:i + args.batch]])
    db.execute('COMMIT')
cpu = time.process_time() - start
print(f"{'off' if args.drop_index else 'on'}_insert_cpu_us_per_message={cpu * 1e6 / args.messages:.1f}")

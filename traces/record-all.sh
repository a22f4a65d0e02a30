#!/bin/sh
# Records the shipped traces (traces/README.md says what each is). Run as root from the repository root, after
# `npm run build`, on an otherwise idle machine; needs python3, redis-server and redis-benchmark (Debian:
# apt-get install redis-server redis-tools). Each trace takes 5 to 20 s.
set -eu
L="node bin/livemig.js"
T=traces
W=test/fixtures/pattern-writer.py

# 1. A uniform writer with known parameters: 64 MiB buffer, 5000 random pages/s, 64 bytes per write; recorded by
#    pid for 8 s from 1 s after it started, so the trace holds its steady state, not the interpreter's start-up.
python3 $W 67108864 0 16384 5000 64 30 --uniform >/dev/null &
WRITER=$!
sleep 1
$L record --pid $WRITER --method content --interval 100ms --duration 8s -o $T/uniform-writer.lmtrace \
  --description "pattern-writer.py: 16384-page anonymous buffer, 5000 uniform page writes/s, 64 B each, from 1 s after start"
kill $WRITER

# 2. redis-server under redis-benchmark (SET with 512-byte values over 200k keys, pipelined), 10 s.
redis-server --port 16379 --save "" --appendonly no --daemonize no --loglevel warning &
REDIS=$!
sleep 0.5
redis-benchmark -p 16379 -t set -n 3000000 -r 200000 -d 512 -P 16 -q >/dev/null &
BENCH=$!
sleep 0.5
$L record --pid $REDIS --method content --interval 100ms --duration 10s -o $T/redis-set.lmtrace \
  --description "redis-server 7.0 (jemalloc), redis-benchmark -t set -n 3000000 -r 200000 -d 512 -P 16, from 0.5 s after start"
kill $BENCH 2>/dev/null || true
kill $REDIS
wait 2>/dev/null || true

# 3. An in-memory sort: GNU sort of 1.5 M random 20-character lines (32 MiB) with a 256 MiB buffer.
python3 -c "import random; r=random.Random(1); print('\n'.join(''.join(r.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(20)) for _ in range(1500000)))" > /tmp/livemig-sort-input.txt
$L record --method content --interval 100ms -o $T/gnu-sort.lmtrace \
  --description "GNU sort -S 256M of 1.5 M random 20-character lines (32 MiB), output to /dev/null" \
  -- sort -S 256M /tmp/livemig-sort-input.txt -o /dev/null
rm -f /tmp/livemig-sort-input.txt

# 4. A compiler run on Node: TypeScript type-checking livemig itself (tsc --noEmit).
$L record --method content --interval 100ms -o $T/tsc-typecheck.lmtrace \
  --description "node + TypeScript 6 tsc -p tsconfig.json --noEmit on livemig's own sources" \
  -- node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit

/*
 * The Wasm core's per-write touch loops (assembly/index.ts loopUniform / loopHotCold) in C, for the native
 * baseline of `npm run bench -- touches`, plus a memory read-bandwidth loop for the bitmap group.
 * Same PRNG (xoshiro128** seeded by SplitMix32), same multiply-shift mapping, the same one bitmap of 64-bit
 * words (the dirty log): so the same seed dirties the same pages (bench/native.ts checks the fresh count against the core).
 *
 *   touch uniform|hotcold <pages> <k> <calls> <seed> <hotPages> <hotProb32>
 *       -> {"fresh": <first call>, "nsPerTouch": <median call / k>}
 *   read <bytes> <passes>
 *       -> {"GBps": <best pass>}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t st[4];

static void seed_stream(uint32_t seed) {
  uint32_t z = seed;
  for (int i = 0; i < 4; i++) {
    z += 0x9e3779b9u;
    uint32_t x = z;
    x = (x ^ (x >> 16)) * 0x85ebca6bu;
    x = (x ^ (x >> 13)) * 0xc2b2ae35u;
    st[i] = x ^ (x >> 16);
  }
}

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* The core's touchLog: while the rings follow the log, a write is one read-modify-write of the dirty log. */
static inline uint32_t touch(uint64_t *restrict dl, uint32_t p) {
  uint64_t bit = (uint64_t)1 << (p & 63);
  uint32_t w = p >> 6;
  uint64_t old = dl[w];
  dl[w] = old | bit;
  return (old & bit) == 0;
}

static uint32_t uniform(uint64_t *dl, uint32_t start, uint32_t count, uint32_t k) {
  uint32_t a = st[0], b = st[1], c = st[2], d = st[3], fresh = 0;
  for (uint32_t i = 0; i < k; i++) {
    uint32_t r = rotl(b * 5, 7) * 9, t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    fresh += touch(dl, start + (uint32_t)(((uint64_t)r * count) >> 32));
  }
  st[0] = a; st[1] = b; st[2] = c; st[3] = d;
  return fresh;
}

static uint32_t hotcold(uint64_t *dl, uint32_t hs, uint32_t hc, uint32_t cs, uint32_t cc,
                        uint32_t hp, uint32_t k) {
  uint32_t a = st[0], b = st[1], c = st[2], d = st[3], fresh = 0;
  for (uint32_t i = 0; i < k; i++) {
    uint32_t pick = rotl(b * 5, 7) * 9, t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    uint32_t r = rotl(b * 5, 7) * 9;
    t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    int hot = pick < hp;
    uint32_t base = hot ? hs : cs, n = hot ? hc : cc;
    fresh += touch(dl, base + (uint32_t)(((uint64_t)r * n) >> 32));
  }
  st[0] = a; st[1] = b; st[2] = c; st[3] = d;
  return fresh;
}

static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  if (argc >= 8 && strcmp(argv[1], "touch") == 0) {
    int hc = strcmp(argv[2], "hotcold") == 0;
    uint32_t pages = (uint32_t)strtoul(argv[3], 0, 10), k = (uint32_t)strtoul(argv[4], 0, 10);
    int calls = atoi(argv[5]);
    uint32_t seed = (uint32_t)strtoul(argv[6], 0, 10), hot = (uint32_t)strtoul(argv[7], 0, 10);
    uint32_t hp = argc > 8 ? (uint32_t)strtoul(argv[8], 0, 10) : 0;
    size_t words = ((size_t)pages + 63) / 64;
    uint64_t *dl = calloc(words, 8);
    double *t = malloc(sizeof(double) * (size_t)calls);
    if (!dl || !t) return 2;
    seed_stream(seed);
    uint32_t first = 0;
    for (int i = 0; i < calls; i++) {
      double t0 = now_ns();
      uint32_t f = hc ? hotcold(dl, 0, hot, hot, pages - hot, hp, k) : uniform(dl, 0, pages, k);
      t[i] = now_ns() - t0;
      if (i == 0) first = f;
    }
    qsort(t, (size_t)calls, sizeof(double), cmp);
    printf("{\"fresh\": %u, \"nsPerTouch\": %.4f}\n", first, t[calls / 2] / k);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "read") == 0) {
    size_t bytes = (size_t)strtoull(argv[2], 0, 10), n = bytes / 8;
    int passes = atoi(argv[3]);
    uint64_t *a = malloc(n * 8);
    if (!a) return 2;
    for (size_t i = 0; i < n; i++) a[i] = i * 0x9e3779b97f4a7c15ull;
    volatile uint64_t sink = 0;
    double best = 1e300;
    for (int p = 0; p < passes; p++) {
      double t0 = now_ns();
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (size_t i = 0; i + 4 <= n; i += 4) { s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]; }
      double dt = now_ns() - t0;
      sink += s0 + s1 + s2 + s3;
      if (dt < best) best = dt;
    }
    printf("{\"GBps\": %.4f}\n", (double)bytes / best);
    return 0;
  }
  fprintf(stderr, "usage: touch uniform|hotcold <pages> <k> <calls> <seed> <hotPages> [hotProb32] | read <bytes> <passes>\n");
  return 1;
}

/* flushcheck fast backend: the explorer, included after the generated model code.
 *
 * Level-synchronous BFS over packed states (W 64-bit words). The visited set is exact: every
 * state is stored whole, in 256 open-addressing shards (linear probing, grown by 1.5x at 3/4
 * load, so growing one shard never doubles the memory of the whole set). A level is expanded
 * a chunk of parents at a time, in two phases:
 *   1. expand: each worker takes a contiguous slice of the chunk's parents, computes their
 *      successors (their canonical forms under symmetry) and hashes, and files each successor
 *      by owner (shard mod T), tagged with its origin key (parent id, action instance);
 *   2. insert: each owner takes the records filed for it, worker 0's first — so in origin
 *      order — prefetching the hash slot of the record PREF places ahead (memory latency, not
 *      successor computation, is the cost), inserts, and checks each new state's invariants.
 * Then thread 0 merges the owners' new states by origin key. That is exactly the order in
 * which the reference explorer (checker/explicit/explore.py) discovers them, so state ids, parents,
 * the state count at a violation, deadlock or state limit, the counterexample, transitions
 * and coverage all come out identical to it, whatever the number of workers.
 */
#include <stdio.h>
#include <sys/mman.h>

#define NSHARD 16
#define CHUNK 8192
#define PAR_MIN 1024
#define PREF 16
#define SEQ_BLOCK 1024
#define NOKEY UINT64_MAX

enum { RUNNING, HOLDS, VIOLATED, DEADLOCK, ERROR, INCOMPLETE_STATES, INCOMPLETE_DEPTH, OUT_OF_MEMORY };

/* ------------------------------------------------------------------ the memory limit
 * The search's big allocations (visited set, parent links, levels, the workers' records, the
 * liveness pass) are counted; one that would take the count past MEM_LIMIT (0: none) fails as
 * if the system had refused it, and MEM_HIT says the limit, not the system, refused it. */
static size_t MEM_LIMIT = 0, MEM_USED = 0, MEM_PEAK = 0;
static int MEM_HIT = 0;

static int mem_take(size_t b) {
  size_t now = __atomic_add_fetch(&MEM_USED, b, __ATOMIC_RELAXED);
  if (MEM_LIMIT && now > MEM_LIMIT) {
    __atomic_sub_fetch(&MEM_USED, b, __ATOMIC_RELAXED);
    MEM_HIT = 1;
    return 0;
  }
  if (now > MEM_PEAK) MEM_PEAK = now;    /* a statistic: a lost race only loses a maximum */
  return 1;
}

static void mem_give(size_t b) { __atomic_sub_fetch(&MEM_USED, b, __ATOMIC_RELAXED); }

/* before a run: the bytes it may allocate (0: no limit) */
void fc_set_limit(uint64_t bytes) { MEM_LIMIT = (size_t)bytes; MEM_USED = 0; MEM_PEAK = 0; MEM_HIT = 0; }

/* a realloc counted against the limit */
static void *acct_realloc(void *p, size_t oldb, size_t newb) {
  if (newb > oldb && !mem_take(newb - oldb)) return NULL;
  void *q = realloc(p, newb);
  if (!q) { if (newb > oldb) mem_give(newb - oldb); return NULL; }
  if (newb < oldb) mem_give(oldb - newb);
  return q;
}

/* --fingerprint: the visited set keeps a 64-bit hash of each state (SLOTW words per slot)
 * instead of the state; two states with the same hash count as one (hash compaction) */
#if FINGERPRINT
#define SLOTW 1
#else
#define SLOTW W
#endif

/* ------------------------------------------------------------------ hashing */
static inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27; x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

static inline uint64_t hash_state(const uint64_t *s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < W; i++) h = mix64(h ^ s[i]) + 0x632BE59BD9B4E019ULL * (uint64_t)(i + 1);
  return h;
}

static inline int same(const uint64_t *a, const uint64_t *b) {
  for (int i = 0; i < W; i++) if (a[i] != b[i]) return 0;
  return 1;
}

/* ------------------------------------------------------------------ symmetry */
#if HAVE_SYM
enum { F_RAW, F_SELF, F_NONE, F_MBIT, F_MPOP, F_EQ, F_BIT };

static void unpack_v(const uint64_t *s, uint64_t *v) {
  for (int k = 0; k < NSLOTS; k++) v[k] = (s[SW[k]] >> SSH[k]) & SMK[k];
}

static void pack_v(const uint64_t *v, uint64_t *s) {
  memset(s, 0, W * sizeof(uint64_t));
  s[0] = 1ULL << 63;
  for (int k = 0; k < NSLOTS; k++) s[SW[k]] |= v[k] << SSH[k];
}

static inline uint64_t raw(const uint64_t *s, int k) { return (s[SW[k]] >> SSH[k]) & SMK[k]; }

/* feature f of member i of set j, read straight from the packed state */
static uint64_t feat(int j, int f, const uint64_t *s, int i) {
  int kind = FEAT[j][f][0], base = FEAT[j][f][1], st = FEAT[j][f][2];
  uint64_t x;
  switch (kind) {
  case F_RAW: return raw(s, base + i * st);
  case F_SELF: x = raw(s, base + i * st); return x == (uint64_t)i ? 1 : (x == (uint64_t)SETN[j] ? 2 : 0);
  case F_NONE: x = raw(s, base + i * st); return x >= (uint64_t)SETN[VSET[base + i * st]] ? 1 : 0;
  case F_MBIT: return (raw(s, base + i * st) >> i) & 1;
  case F_MPOP: return (uint64_t)__builtin_popcountll(raw(s, base + i * st));
  case F_EQ: return raw(s, base) == (uint64_t)i ? 1 : 0;
  default: return (raw(s, base) >> i) & 1;
  }
}

static inline int dest_of(int k, int perm[NSETS][MAXN]) {
  int d = MBASE[k];
  for (int t = 0; t < MNT[k]; t++) {
    int st = MTERM[k][t][0], c = MTERM[k][t][1], set = MTERM[k][t][2];
    d += st * (set >= 0 ? perm[set][c] : c);
  }
  return d;
}

static inline uint64_t map_value(int k, uint64_t x, int perm[NSETS][MAXN]) {
  if (VKIND[k] == 1) {
    if (x < (uint64_t)SETN[VSET[k]]) x = (uint64_t)perm[VSET[k]][x];
  } else if (VKIND[k] == 2) {
    uint64_t y = 0;
    for (int i = 0; i < SETN[VSET[k]]; i++) if ((x >> i) & 1) y |= 1ULL << perm[VSET[k]][i];
    x = y;
  }
  return x;
}

/* the image of a packed state: only the slots a permutation can touch are moved */
static void image_packed(const uint64_t *in, int perm[NSETS][MAXN], uint64_t *out) {
  for (int w = 0; w < W; w++) out[w] = in[w] & ~CLR[w];
  for (int a = 0; a < NAFF; a++) {
    int k = AFF[a];
    uint64_t x = map_value(k, raw(in, k), perm);
    int d = dest_of(k, perm);
    out[SW[d]] |= x << SSH[d];
  }
}

static void image(const uint64_t *v, int perm[NSETS][MAXN], uint64_t *img) {
  for (int k = 0; k < NSLOTS; k++) img[dest_of(k, perm)] = map_value(k, v[k], perm);
}

static int key_cmp(const uint64_t *a, const uint64_t *b, int nf) {
  for (int f = 0; f < nf; f++) if (a[f] != b[f]) return a[f] < b[f] ? -1 : 1;
  return 0;
}

static int next_perm(int *a, int n) {
  int i = n - 2;
  while (i >= 0 && a[i] >= a[i + 1]) i--;
  if (i < 0) { /* wrap to the first (ascending) order */
    for (int l = 0, r = n - 1; l < r; l++, r--) { int t = a[l]; a[l] = a[r]; a[r] = t; }
    return 0;
  }
  int j = n - 1;
  while (a[j] <= a[i]) j--;
  int t = a[i]; a[i] = a[j]; a[j] = t;
  for (int l = i + 1, r = n - 1; l < r; l++, r--) { t = a[l]; a[l] = a[r]; a[r] = t; }
  return 1;
}

static const double FACT[21] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800,
  479001600, 6227020800.0, 87178291200.0, 1307674368000.0, 20922789888000.0, 355687428096000.0,
  6402373705728000.0, 121645100408832000.0, 2432902008176640000.0};

/* The representative of in's orbit (written to out) and the size of in's stabiliser. */
static double canon(const uint64_t *in, uint64_t *out) {
  uint64_t keys[MAXN][MAXF];
  int order[NSETS][MAXN], perm[NSETS][MAXN];
  /* the tie groups that are tried in every order: (set, start, length) */
  int gset[NSETS * MAXN], gstart[NSETS * MAXN], glen[NSETS * MAXN], ng = 0;
  double stab = 1;
  for (int j = 0; j < NSETS; j++) {
    int n = SETN[j], nf = NFEAT[j];
    for (int i = 0; i < n; i++) for (int f = 0; f < nf; f++) keys[i][f] = feat(j, f, in, i);
    for (int p = 0; p < n; p++) order[j][p] = p;
    for (int p = 1; p < n; p++) {           /* stable insertion sort of members by key */
      int m = order[j][p], i = p;
      while (i > 0 && key_cmp(keys[order[j][i - 1]], keys[m], nf) > 0) {
        order[j][i] = order[j][i - 1];
        i--;
      }
      order[j][i] = m;
    }
    int start = 0;
    for (int p = 1; p <= n; p++) {
      if (p == n || key_cmp(keys[order[j][p]], keys[order[j][start]], nf) != 0) {
        int len = p - start;
        if (len > 1) {
          if (COMPLETE[j]) stab *= FACT[len];
          else {
            /* members of a group in ascending order, so next_perm visits every order */
            int *g = &order[j][start];
            for (int a = 1; a < len; a++) {
              int x = g[a], b = a;
              while (b > 0 && g[b - 1] > x) { g[b] = g[b - 1]; b--; }
              g[b] = x;
            }
            gset[ng] = j; gstart[ng] = start; glen[ng] = len; ng++;
          }
        }
        start = p;
      }
    }
  }
  if (ng == 0) {   /* one candidate: the sorted order (the usual case) */
    int ident = 1;
    for (int j = 0; j < NSETS; j++)
      for (int p = 0; p < SETN[j]; p++) { perm[j][order[j][p]] = p; ident &= order[j][p] == p; }
    if (ident) memcpy(out, in, W * sizeof(uint64_t));
    else image_packed(in, perm, out);
    return stab;
  }
  uint64_t v[NSLOTS], img[NSLOTS], best[NSLOTS];
  unpack_v(in, v);
  double hits = 0;
  int first = 1;
  for (;;) {
    for (int j = 0; j < NSETS; j++)
      for (int p = 0; p < SETN[j]; p++) perm[j][order[j][p]] = p;
    image(v, perm, img);
    if (first) { memcpy(best, img, sizeof img); hits = 1; first = 0; }
    else {
      int c = 0;
      for (int k = 0; k < NSLOTS; k++) if (img[k] != best[k]) { c = img[k] < best[k] ? -1 : 1; break; }
      if (c < 0) { memcpy(best, img, sizeof img); hits = 1; }
      else if (c == 0) hits += 1;
    }
    int q = 0;   /* odometer over the tie groups */
    while (q < ng && !next_perm(&order[gset[q]][gstart[q]], glen[q])) q++;
    if (q == ng) break;
  }
  pack_v(best, out);
  return stab * hits;
}
#else
static const double GROUP_ORDER = 1.0;
static double canon(const uint64_t *in, uint64_t *out) {
  memcpy(out, in, W * sizeof(uint64_t));
  return 1.0;
}
#endif

/* ------------------------------------------------------------------ growable vectors */
typedef struct { char *a; size_t n, cap; } vec_t;

static inline void *vec_push(vec_t *v, size_t esz, int *oom) {
  if (v->n == v->cap) {
    size_t nc = v->cap ? v->cap * 2 : 1024;
    char *na = acct_realloc(v->a, v->cap * esz, nc * esz);
    if (!na) { *oom = 1; return NULL; }
    v->a = na; v->cap = nc;
  }
  return v->a + esz * v->n++;
}

/* ------------------------------------------------------------------ the visited set */
typedef struct { uint64_t *slots; uint64_t cap, n; size_t bytes; } shard_t;

/* zeroed slot memory; big tables come from mmap with transparent huge pages requested, so
 * that a random probe does not also miss the TLB */
#define HUGE_MIN (2u << 20)
static uint64_t *slots_alloc(uint64_t cap, size_t *bytes) {
  size_t b = (size_t)cap * SLOTW * sizeof(uint64_t);
  if (b < HUGE_MIN) {
    if (!mem_take(b)) return NULL;
    *bytes = 0;
    uint64_t *p = calloc(cap * SLOTW, sizeof(uint64_t));
    if (!p) mem_give(b);
    return p;
  }
  b = (b + HUGE_MIN - 1) & ~(size_t)(HUGE_MIN - 1);
  if (!mem_take(b)) return NULL;
  void *p = mmap(NULL, b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { mem_give(b); return NULL; }
#ifdef MADV_HUGEPAGE
  madvise(p, b, MADV_HUGEPAGE);
#endif
  *bytes = b;
  return p;
}

static void slots_free(uint64_t *p, size_t bytes, uint64_t cap) {
  if (!p) return;
  if (bytes) { munmap(p, bytes); mem_give(bytes); }
  else { free(p); mem_give((size_t)cap * SLOTW * sizeof(uint64_t)); }
}

static inline uint64_t slot_of(uint64_t h, uint64_t cap) { return ((h & 0xffffffffULL) * cap) >> 32; }

static int shard_grow(shard_t *t) {
  uint64_t nc = t->cap + t->cap / 2;
  size_t nb;
  uint64_t *ns = slots_alloc(nc, &nb);
  if (!ns) return 0;
  for (uint64_t i = 0; i < t->cap; i++) {
    uint64_t *e = t->slots + i * SLOTW;
    if (!e[0]) continue;
    uint64_t j = slot_of(FINGERPRINT ? e[0] : hash_state(e), nc);
    while (ns[j * SLOTW]) if (++j == nc) j = 0;
    memcpy(ns + j * SLOTW, e, SLOTW * sizeof(uint64_t));
  }
  slots_free(t->slots, t->bytes, t->cap);
  t->slots = ns; t->cap = nc; t->bytes = nb;
  return 1;
}

/* 1: inserted (new), 0: already there, -1: out of memory */
#if FINGERPRINT
static inline uint64_t fp_of(uint64_t h) { return h ? h : 1; }   /* 0 marks an empty slot */
#endif

static inline int shard_insert(shard_t *t, uint64_t h, const uint64_t *s) {
  uint64_t i = slot_of(h, t->cap);
  for (;;) {
    uint64_t *e = t->slots + i * SLOTW;
    if (!e[0]) {
#if FINGERPRINT
      e[0] = fp_of(h);
#else
      memcpy(e, s, W * sizeof(uint64_t));
#endif
      if (++t->n * 4 > t->cap * 3 && !shard_grow(t)) return -1;
      return 1;
    }
#if FINGERPRINT
    if (e[0] == fp_of(h)) return 0;
#else
    if (same(e, s)) return 0;
#endif
    if (++i == t->cap) i = 0;
  }
}

static int shard_has(const shard_t *t, uint64_t h, const uint64_t *s) {
  uint64_t i = slot_of(h, t->cap);
  for (;;) {
    const uint64_t *e = t->slots + i * SLOTW;
    if (!e[0]) return 0;
#if FINGERPRINT
    if (e[0] == fp_of(h)) return 1;
#else
    if (same(e, s)) return 1;
#endif
    if (++i == t->cap) i = 0;
  }
}

/* ------------------------------------------------------------------ the run */
typedef struct { uint64_t hash, key; uint64_t s[W]; } rec_t;      /* a successor, filed by owner */
typedef struct { uint64_t key; double stab; uint64_t s[W]; } nrec_t; /* a new state */

typedef struct {
  vec_t *out;                 /* [T]: records for each owner */
  vec_t newv;                 /* as owner: new states, in origin order */
  uint64_t *cov, trans;       /* this chunk's coverage and transitions */
  uint64_t *hits;             /* this chunk's new states meeting each goal */
  uint64_t pre_key; int pre_kind; fc_err pre_err;          /* phase 1: deadlock (1) or error (2) */
  uint64_t ev_key; int ev_kind; int ev_code; fc_err ev_err; /* phase 2: violation (1) or error (2) */
  uint64_t *sbuf; uint32_t *abuf;
  uint64_t a, b;              /* phase 1: parent positions [a, b) in the current level */
  int oom;
} worker_t;

typedef struct fc_run {
  int T, deadlock;
  uint64_t max_states, max_depth;
  shard_t sh[NSHARD];
  uint64_t *cur, cur_n, cur_cap, cur_base, pos;
  uint64_t *nxt, nxt_n, nxt_cap;
  uint64_t depth, nstates, pcap;
  uint32_t *parent; via_t *via;
  uint64_t transitions, *cov;
  uint64_t *hits; int64_t *first;   /* per goal: states that met it, depth of the first (-1) */
  double represented;
  int status, ev_code;
  uint64_t ev_id;
  fc_err err;
  worker_t *w;
  pthread_barrier_t bar;
  int stop, par;
  int pause;                 /* fc_step returns at the end of the current level (a checkpoint) */
} fc_run;

static int owner_of(const fc_run *r, uint64_t h) { return (int)((h >> 60) % (uint64_t)r->T); }

static int add_state(fc_run *r, const uint64_t *s, uint64_t parent, int via) {
  if (r->nstates >= UINT32_MAX - 1) return 0;   /* parent links are 32-bit */
  if (r->nstates == r->pcap) {
    uint64_t nc = r->pcap * 2;
    uint32_t *np = acct_realloc(r->parent, r->pcap * sizeof(uint32_t), nc * sizeof(uint32_t));
    if (!np) return 0;
    r->parent = np;
    via_t *nv = acct_realloc(r->via, r->pcap * sizeof(via_t), nc * sizeof(via_t));
    if (!nv) return 0;
    r->via = nv; r->pcap = nc;
  }
  if (r->nxt_n == r->nxt_cap) {
    uint64_t nc = r->nxt_cap ? r->nxt_cap * 2 : 1024;
    uint64_t *nn = acct_realloc(r->nxt, r->nxt_cap * W * sizeof(uint64_t), nc * W * sizeof(uint64_t));
    if (!nn) return 0;
    r->nxt = nn; r->nxt_cap = nc;
  }
  memcpy(r->nxt + r->nxt_n * W, s, W * sizeof(uint64_t));
  r->nxt_n++;
  r->parent[r->nstates] = (uint32_t)parent;
  r->via[r->nstates] = (via_t)via;
  r->nstates++;
  return 1;
}

fc_run *fc_new(int T, int deadlock, uint64_t max_states, uint64_t max_depth) {
  fc_run *r = calloc(1, sizeof(fc_run));
  if (!r) return NULL;
  r->T = T < 1 ? 1 : T;
  r->deadlock = deadlock; r->max_states = max_states; r->max_depth = max_depth;
  for (int i = 0; i < NSHARD; i++) {
    r->sh[i].cap = 512;
    r->sh[i].slots = slots_alloc(512, &r->sh[i].bytes);
    if (!r->sh[i].slots) return NULL;
  }
  r->pcap = 1 << 12;
  r->parent = malloc(r->pcap * sizeof(uint32_t));
  r->via = malloc(r->pcap * sizeof(via_t));
  mem_take(r->pcap * (sizeof(uint32_t) + sizeof(via_t)) + W * sizeof(uint64_t));   /* and cur */
  r->cov = calloc(NINST + 1, sizeof(uint64_t));
  r->hits = calloc(NGOALS + 1, sizeof(uint64_t));
  r->first = malloc((NGOALS + 1) * sizeof(int64_t));
  r->w = calloc(r->T, sizeof(worker_t));
  if (!r->parent || !r->via || !r->cov || !r->hits || !r->first || !r->w) return NULL;
  for (int g = 0; g <= NGOALS; g++) r->first[g] = -1;
  for (int t = 0; t < r->T; t++) {
    worker_t *w = &r->w[t];
    w->out = calloc(r->T, sizeof(vec_t));
    w->cov = calloc(NINST + 1, sizeof(uint64_t));
    w->hits = calloc(NGOALS + 1, sizeof(uint64_t));
    w->sbuf = malloc((NINST + 1) * W * sizeof(uint64_t));
    w->abuf = malloc((NINST + 1) * sizeof(uint32_t));
    if (!w->out || !w->cov || !w->hits || !w->sbuf || !w->abuf) return NULL;
  }
  uint64_t init[W];
  double stab = canon(INIT, init);
  uint64_t h = hash_state(init);
  shard_insert(&r->sh[h >> 60], h, init);
  r->represented = GROUP_ORDER / stab;
  fc_err E0 = {0};
  observe(init, r->hits, &E0);
  for (int g = 0; g < NGOALS; g++) if (r->hits[g]) r->first[g] = 0;
  r->nstates = 1;
  r->parent[0] = UINT32_MAX; r->via[0] = 0;
  r->cur = malloc(W * sizeof(uint64_t));
  memcpy(r->cur, init, W * sizeof(uint64_t));
  r->cur_n = 1; r->cur_cap = 1;
  return r;
}

void fc_free(fc_run *r) {
  if (!r) return;
  for (int i = 0; i < NSHARD; i++) slots_free(r->sh[i].slots, r->sh[i].bytes, r->sh[i].cap);
  if (r->w) {
    for (int t = 0; t < r->T; t++) {
      worker_t *w = &r->w[t];
      if (w->out) for (int o = 0; o < r->T; o++) { free(w->out[o].a); mem_give(w->out[o].cap * sizeof(rec_t)); }
      free(w->out); free(w->newv.a); mem_give(w->newv.cap * sizeof(nrec_t)); free(w->cov); free(w->hits); free(w->sbuf); free(w->abuf);
    }
  }
  mem_give(r->cur_cap * W * sizeof(uint64_t) + r->nxt_cap * W * sizeof(uint64_t)
           + r->pcap * (sizeof(uint32_t) + sizeof(via_t)));
  free(r->w); free(r->cur); free(r->nxt); free(r->parent); free(r->via); free(r->cov);
  free(r->hits); free(r->first);
  free(r);
}

/* phase 1: expand parents [w->a, w->b) of the current level */
static void phase1(fc_run *r, worker_t *w) {
  for (int o = 0; o < r->T; o++) w->out[o].n = 0;
  memset(w->cov, 0, (NINST + 1) * sizeof(uint64_t));
  w->trans = 0; w->pre_kind = 0; w->pre_key = NOKEY;
  uint64_t c[W];
  for (uint64_t p = w->a; p < w->b; p++) {
    const uint64_t *s = r->cur + p * W;
    uint64_t g = r->cur_base + p;
    fc_err E = {0};
    int n = succ(s, w->sbuf, w->abuf, &E);
    if (n < 0) { w->pre_kind = 2; w->pre_key = g << 17; w->pre_err = E; return; }
    if (r->deadlock) {   /* stuck: no action but the environment's is enabled */
      int progress = 0;
      for (int i = 0; i < n && !progress; i++) progress = PROGRESS[w->abuf[i]];
      int f = progress ? 1 : is_final(s, &E);
      if (f < 0) { w->pre_kind = 2; w->pre_key = g << 17; w->pre_err = E; return; }
      if (!f) { w->pre_kind = 1; w->pre_key = g << 17; return; }
    }
    w->trans += (uint64_t)n;
    for (int i = 0; i < n; i++) {
      w->cov[w->abuf[i]]++;
      const uint64_t *t = w->sbuf + (size_t)i * W;
      if (HAVE_SYM) { canon(t, c); t = c; }
      uint64_t h = hash_state(t);
      rec_t *rc = vec_push(&w->out[owner_of(r, h)], sizeof(rec_t), &w->oom);
      if (!rc) return;
      rc->hash = h;
      rc->key = (g << 17) | (uint64_t)(w->abuf[i] + 1);
      memcpy(rc->s, t, W * sizeof(uint64_t));
    }
  }
}

/* phase 2: insert the records filed for owner o, in origin order; check new states */
static void phase2(fc_run *r, int o) {
  worker_t *w = &r->w[o];
  w->newv.n = 0; w->ev_kind = 0; w->ev_key = NOKEY;
  memset(w->hits, 0, (NGOALS + 1) * sizeof(uint64_t));
  for (int src = 0; src < r->T; src++) {
    const rec_t *a = (const rec_t *)r->w[src].out[o].a;
    size_t n = r->w[src].out[o].n;
    for (size_t i = 0; i < n; i++) {
      if (i + PREF < n) {
        const rec_t *f = &a[i + PREF];
        const shard_t *ft = &r->sh[f->hash >> 60];
        __builtin_prefetch(ft->slots + slot_of(f->hash, ft->cap) * W);
      }
      const rec_t *rc = &a[i];
      int ins = shard_insert(&r->sh[rc->hash >> 60], rc->hash, rc->s);
      if (ins < 0) { w->oom = 1; return; }
      if (!ins) continue;
      nrec_t *nr = vec_push(&w->newv, sizeof(nrec_t), &w->oom);
      if (!nr) return;
      nr->key = rc->key;
      memcpy(nr->s, rc->s, W * sizeof(uint64_t));
      if (HAVE_SYM) { uint64_t tmp[W]; nr->stab = canon(rc->s, tmp); } else nr->stab = 1;
      fc_err E = {0};
      int c = check(rc->s, &E);
      if (c == -1 && NGOALS) c = observe(rc->s, w->hits, &E);
      if (c != -1) {
        w->ev_kind = c == -2 ? 2 : 1; w->ev_key = rc->key; w->ev_code = c; w->ev_err = E;
        return;
      }
    }
  }
}

/* transitions and coverage of parents [ga, gb) of the current level, and of parent gb's
 * successors up to instance k (k >= 0): what the reference has counted when it stops */
static int recount(fc_run *r, uint64_t ga, uint64_t gb, int k) {
  worker_t *w = &r->w[0];
  for (uint64_t g = ga; g < gb || (g == gb && k >= 0); g++) {
    fc_err E = {0};
    int n = succ(r->cur + (g - r->cur_base) * W, w->sbuf, w->abuf, &E);
    if (n < 0) return 0;
    if (g == gb) {
      r->transitions += (uint64_t)n;
      for (int i = 0; i < n && (int)w->abuf[i] <= k; i++) r->cov[w->abuf[i]]++;
      break;
    }
    r->transitions += (uint64_t)n;
    for (int i = 0; i < n; i++) r->cov[w->abuf[i]]++;
  }
  return 1;
}

/* goals of the new states [x0, nxt_n) of a chunk cut short, the violating one too, as the
 * reference counts them: the workers' counts stop at their own first event and run past the cut */
static void regoal(fc_run *r, uint64_t x0) {
  for (uint64_t x = x0; x < r->nxt_n; x++) {
    fc_err E = {0};
    observe(r->nxt + x * W, r->hits, &E);
  }
  for (int g = 0; g < NGOALS; g++)
    if (r->hits[g] && r->first[g] < 0) r->first[g] = (int64_t)r->depth + 1;
}

/* thread 0, after both phases: merge new states by origin; events and the state limit */
static void merge(fc_run *r, uint64_t g0, uint64_t g1) {
  int T = r->T;
  uint64_t x0 = r->nxt_n;
  uint64_t E = NOKEY;
  int ekind = 0, ecode = 0;   /* 1 violation, 2 error in check, 3 deadlock, 4 error in succ */
  fc_err eerr = {0};
  for (int t = 0; t < T; t++) {
    worker_t *w = &r->w[t];
    if (w->oom) { r->status = OUT_OF_MEMORY; return; }
    if (w->pre_kind && w->pre_key < E) { E = w->pre_key; ekind = w->pre_kind == 1 ? 3 : 4; eerr = w->pre_err; }
    if (w->ev_kind && w->ev_key < E) {
      E = w->ev_key; ekind = w->ev_kind; ecode = w->ev_code; eerr = w->ev_err;
    }
  }
  size_t idx[64] = {0};
  uint64_t B = (g0 / SEQ_BLOCK + 1) * SEQ_BLOCK;
  uint64_t cutg = g1; int cutk = -1;
  for (;;) {
    const nrec_t *best = NULL; int bo = -1;
    for (int o = 0; o < T; o++) {
      worker_t *w = &r->w[o];
      if (idx[o] < w->newv.n) {
        const nrec_t *c = (const nrec_t *)(w->newv.a + idx[o] * sizeof(nrec_t));
        if (!best || c->key < best->key) { best = c; bo = o; }
      }
    }
    uint64_t key = best ? best->key : NOKEY;
    while (B <= g1 && (B << 17) <= key && (B << 17) <= E) {
      if (r->max_states && r->nstates >= r->max_states) {
        r->status = INCOMPLETE_STATES; cutg = B; cutk = -1;
        goto counted;
      }
      B += SEQ_BLOCK;
    }
    if (!best || key > E) break;
    if (!add_state(r, best->s, key >> 17, (int)(key & 0x1FFFF) - 1)) { r->status = OUT_OF_MEMORY; return; }
#if HAVE_SYM
    r->represented += GROUP_ORDER / best->stab;
#endif
    if (key == E) r->ev_id = r->nstates - 1;
    idx[bo]++;
  }
  if (E != NOKEY) {
    r->err = eerr; r->ev_code = ecode;
    if (ekind == 1) { r->status = VIOLATED; cutg = E >> 17; cutk = (int)(E & 0x1FFFF) - 1; }
    else if (ekind == 3) { r->status = DEADLOCK; r->ev_id = E >> 17; cutg = E >> 17; cutk = -1; }
    else { r->status = ERROR; return; }
  } else {
    for (int t = 0; t < T; t++) {
      worker_t *w = &r->w[t];
      r->transitions += w->trans;
      for (int i = 0; i < NINST; i++) r->cov[i] += w->cov[i];
      for (int g = 0; g < NGOALS; g++) {
        r->hits[g] += w->hits[g];
        if (w->hits[g] && r->first[g] < 0) r->first[g] = (int64_t)r->depth + 1;
      }
    }
    return;
  }
counted:
  if (NGOALS) regoal(r, x0);
  if (!recount(r, g0, cutg, cutk)) r->status = ERROR;
}

/* at a level that may not be expanded (depth limit): is anything new one step further? */
static void depth_scan(fc_run *r) {
  worker_t *w = &r->w[0];
  uint64_t c[W];
  for (uint64_t p = 0; p < r->cur_n; p++) {
    fc_err E = {0};
    int n = succ(r->cur + p * W, w->sbuf, w->abuf, &E);
    if (n < 0) { r->err = E; r->status = ERROR; return; }
    for (int i = 0; i < n; i++) {
      canon(w->sbuf + (size_t)i * W, c);
      uint64_t h = hash_state(c);
      if (!shard_has(&r->sh[h >> 60], h, c)) { r->status = INCOMPLETE_DEPTH; return; }
    }
  }
  r->status = HOLDS;
}

typedef struct { fc_run *r; int id; } targ_t;

static void *thread_main(void *arg) {
  targ_t *ta = arg;
  fc_run *r = ta->r;
  for (;;) {
    pthread_barrier_wait(&r->bar);
    if (r->stop) break;
    if (r->par) phase1(r, &r->w[ta->id]);
    pthread_barrier_wait(&r->bar);
    if (r->par) phase2(r, ta->id);
    pthread_barrier_wait(&r->bar);
  }
  return NULL;
}

/* plan the next chunk; returns its size (0: the search has ended) */
static uint64_t plan(fc_run *r) {
  if (r->pos == r->cur_n) {
    if (r->nxt_n == 0) {
      r->status = (r->max_states && r->nstates > r->max_states) ? INCOMPLETE_STATES : HOLDS;
      return 0;
    }
    free(r->cur);
    mem_give(r->cur_cap * W * sizeof(uint64_t));
    r->cur_cap = r->nxt_cap;
    r->cur_base += r->cur_n;
    r->cur = r->nxt; r->cur_n = r->nxt_n;
    r->nxt = NULL; r->nxt_cap = 0; r->nxt_n = 0;
    r->pos = 0; r->depth++;
    if (r->max_depth && r->depth >= r->max_depth) {
      depth_scan(r);
      if (r->status == HOLDS && r->max_states && r->nstates > r->max_states) r->status = INCOMPLETE_STATES;
      return 0;
    }
  }
  uint64_t n = r->cur_n - r->pos;
  if (n > CHUNK) n = CHUNK;
  r->par = r->T > 1 && n >= PAR_MIN;
  for (int t = 0; t < r->T; t++) {
    worker_t *w = &r->w[t];
    if (r->par) { w->a = r->pos + n * t / r->T; w->b = r->pos + n * (t + 1) / r->T; }
    else { w->a = t == 0 ? r->pos : r->pos + n; w->b = r->pos + n; }
  }
  return n;
}

/* Expand at least `budget` parents (whole chunks) unless the search ends first. */
int fc_step(fc_run *r, uint64_t budget) {
  if (r->status != RUNNING) return r->status;
  int T = r->T;
  pthread_t th[64];
  targ_t ta[64];
  int spawned = 0;
  if (T > 1) {
    pthread_barrier_init(&r->bar, NULL, (unsigned)T);
    r->stop = 0;
    for (int t = 1; t < T; t++) {
      ta[t].r = r; ta[t].id = t;
      if (pthread_create(&th[t], NULL, thread_main, &ta[t]) != 0) { T = t; break; }
      spawned++;
    }
    if (spawned != r->T - 1) {   /* could not start the threads: tell those started to stop */
      r->stop = 1;
      for (int t = 1; t <= spawned; t++) pthread_join(th[t], NULL);
      pthread_barrier_destroy(&r->bar);
      r->status = OUT_OF_MEMORY;
      return r->status;
    }
  }
  uint64_t done = 0;
  while (r->status == RUNNING && done < budget) {
    uint64_t n = plan(r);
    if (!n) break;
    uint64_t g0 = r->cur_base + r->pos;
    if (T > 1) pthread_barrier_wait(&r->bar);
    if (r->par) phase1(r, &r->w[0]);
    else for (int t = 0; t < T; t++) phase1(r, &r->w[t]);
    if (T > 1) pthread_barrier_wait(&r->bar);
    if (r->par) phase2(r, 0);
    else for (int o = 0; o < T; o++) phase2(r, o);
    if (T > 1) pthread_barrier_wait(&r->bar);
    merge(r, g0, g0 + n);
    r->pos += n;
    done += n;
    if (r->pause && r->pos == r->cur_n) break;
  }
  if (T > 1) {
    r->stop = 1;
    pthread_barrier_wait(&r->bar);
    for (int t = 1; t < T; t++) pthread_join(th[t], NULL);
    pthread_barrier_destroy(&r->bar);
  }
  return r->status;
}

/* status, states, transitions, depth, event id, witness, error kind, inst, update, value, size,
 * current level's first id, level width, parents expanded */
void fc_info(fc_run *r, int64_t *out) {
  out[0] = r->status; out[1] = (int64_t)r->nstates; out[2] = (int64_t)r->transitions;
  out[3] = (int64_t)r->depth; out[4] = (int64_t)r->ev_id; out[5] = r->ev_code;
  out[6] = r->err.kind; out[7] = r->err.inst; out[8] = r->err.upd; out[9] = r->err.value;
  out[10] = r->err.size; out[11] = (int64_t)r->cur_base; out[12] = (int64_t)r->cur_n;
  out[13] = (int64_t)(r->cur_base + r->pos);
}

/* [0] states the representatives stand for, [1] bytes of the visited set and parent links,
 * [2] bytes counted against the memory limit now, [3] 1 if the limit refused an allocation */
void fc_memory(fc_run *r, double *out) {
  double b = 0;
  for (int i = 0; i < NSHARD; i++) b += (double)r->sh[i].cap * SLOTW * sizeof(uint64_t);
  b += (double)r->pcap * (sizeof(uint32_t) + sizeof(via_t));
  out[0] = r->represented;
  out[1] = b;
  out[2] = (double)MEM_USED;
  out[3] = MEM_HIT;
}

void fc_coverage(fc_run *r, uint64_t *out) { memcpy(out, r->cov, NINST * sizeof(uint64_t)); }

/* per goal: [2g] new states that met it, [2g+1] the depth of the first (-1: none yet) */
void fc_goals(fc_run *r, int64_t *out) {
  for (int g = 0; g < NGOALS; g++) { out[2 * g] = (int64_t)r->hits[g]; out[2 * g + 1] = r->first[g]; }
}

/* the action instances from the initial state to state `id`; returns how many */
int fc_path(fc_run *r, uint64_t id, int32_t *via, int max) {
  int n = 0;
  for (uint64_t j = id; r->parent[j] != UINT32_MAX; j = r->parent[j]) n++;
  if (n > max) return -1;
  int i = n;
  for (uint64_t j = id; r->parent[j] != UINT32_MAX; j = r->parent[j]) via[--i] = r->via[j];
  return n;
}

/* ------------------------------------------------------------------ checkpoints
 * At the end of a level (pos == cur_n: every parent of the level expanded, the next level whole
 * in nxt) the search is its visited set, the next level, the parent links and the counters; a
 * run restored from them continues exactly as the one that wrote them would have. */
void fc_pause(fc_run *r, int on) { r->pause = on; }

int fc_at_level_end(fc_run *r) { return r->status == RUNNING && r->pos == r->cur_n; }

#define CKPT_MAGIC 0x31544b50434346ULL   /* "FCCPKT1" */

static int wr(FILE *f, const void *p, size_t n) { return n == 0 || fwrite(p, 1, n, f) == n; }
static int rd(FILE *f, void *p, size_t n) { return n == 0 || fread(p, 1, n, f) == n; }

/* 0: written; -1: not at a level end; -2: write error */
int fc_save(fc_run *r, const char *path) {
  if (!fc_at_level_end(r)) return -1;
  FILE *f = fopen(path, "wb");
  if (!f) return -2;
  uint64_t hdr[12] = {CKPT_MAGIC, W, NINST, NGOALS, NSHARD, SLOTW, r->nstates, r->depth,
                      r->cur_base, r->cur_n, r->nxt_n, r->transitions};
  int ok = wr(f, hdr, sizeof hdr) && wr(f, &r->represented, sizeof(double));
  for (int i = 0; ok && i < NSHARD; i++) {
    uint64_t c[2] = {r->sh[i].cap, r->sh[i].n};
    ok = wr(f, c, sizeof c) && wr(f, r->sh[i].slots, (size_t)r->sh[i].cap * SLOTW * sizeof(uint64_t));
  }
  ok = ok && wr(f, r->parent, r->nstates * sizeof(uint32_t)) && wr(f, r->via, r->nstates * sizeof(via_t))
       && wr(f, r->nxt, r->nxt_n * W * sizeof(uint64_t)) && wr(f, r->cov, NINST * sizeof(uint64_t))
       && wr(f, r->hits, NGOALS * sizeof(uint64_t)) && wr(f, r->first, NGOALS * sizeof(int64_t));
  if (fclose(f) != 0) ok = 0;
  return ok ? 0 : -2;
}

/* a run restored from a checkpoint; NULL with *why: 1 unreadable, 2 another model, 3 memory */
fc_run *fc_load(const char *path, int T, int deadlock, uint64_t max_states, uint64_t max_depth, int *why) {
  *why = 1;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint64_t hdr[12];
  double rep;
  if (!rd(f, hdr, sizeof hdr) || !rd(f, &rep, sizeof rep)) { fclose(f); return NULL; }
  if (hdr[0] != CKPT_MAGIC || hdr[1] != W || hdr[2] != NINST || hdr[3] != NGOALS || hdr[4] != NSHARD
      || hdr[5] != SLOTW) { *why = 2; fclose(f); return NULL; }
  *why = 3;
  fc_run *r = fc_new(T, deadlock, max_states, max_depth);
  if (!r) { fclose(f); return NULL; }
  int ok = 1;
  for (int i = 0; ok && i < NSHARD; i++) {
    uint64_t c[2];
    ok = rd(f, c, sizeof c);
    if (!ok) break;
    slots_free(r->sh[i].slots, r->sh[i].bytes, r->sh[i].cap);
    r->sh[i].slots = slots_alloc(c[0], &r->sh[i].bytes);
    r->sh[i].cap = c[0]; r->sh[i].n = c[1];
    ok = r->sh[i].slots && rd(f, r->sh[i].slots, (size_t)c[0] * SLOTW * sizeof(uint64_t));
    if (!r->sh[i].slots) r->sh[i].cap = 0;
  }
  uint64_t n = hdr[6], nn = hdr[10];
  if (ok) {
    uint64_t pc = n < 4096 ? 4096 : n;
    uint32_t *np = acct_realloc(r->parent, r->pcap * sizeof(uint32_t), pc * sizeof(uint32_t));
    if (np) r->parent = np;
    via_t *nv = np ? acct_realloc(r->via, r->pcap * sizeof(via_t), pc * sizeof(via_t)) : NULL;
    if (nv) { r->via = nv; r->pcap = pc; }
    uint64_t *nx = nv ? acct_realloc(NULL, 0, (nn ? nn : 1) * W * sizeof(uint64_t)) : NULL;
    ok = nx != NULL;
    if (ok) { r->nxt = nx; r->nxt_cap = nn ? nn : 1; }
  }
  ok = ok && rd(f, r->parent, n * sizeof(uint32_t)) && rd(f, r->via, n * sizeof(via_t))
       && rd(f, r->nxt, nn * W * sizeof(uint64_t)) && rd(f, r->cov, NINST * sizeof(uint64_t))
       && rd(f, r->hits, NGOALS * sizeof(uint64_t)) && rd(f, r->first, NGOALS * sizeof(int64_t));
  fclose(f);
  if (!ok) { *why = MEM_HIT ? 3 : 1; fc_free(r); return NULL; }
  r->nstates = n; r->depth = hdr[7]; r->cur_base = hdr[8]; r->cur_n = hdr[9]; r->nxt_n = nn;
  r->transitions = hdr[11]; r->represented = rep;
  r->pos = r->cur_n;        /* the current level is expanded: plan() moves to the next */
  *why = 0;
  return r;
}

/* hooks for the tests: one state's successors, check and canonical form */
int fc_succ(const uint64_t *s, uint64_t *out, uint32_t *acts, int64_t *err) {
  fc_err E = {0};
  int n = succ(s, out, acts, &E);
  err[0] = E.kind; err[1] = E.inst; err[2] = E.upd; err[3] = E.value; err[4] = E.size;
  return n;
}

int fc_check(const uint64_t *s) { fc_err E = {0}; return check(s, &E); }

double fc_canon(const uint64_t *in, uint64_t *out) { return canon(in, out); }

int fc_words(void) { return W; }

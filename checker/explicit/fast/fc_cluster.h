/* flushcheck fast backend: the pieces of a search spread over processes (checker/explicit/cluster.py),
 * included after fc_runtime.h. The driver orders the search; each worker expands the parents it
 * owns (fc_expand), keeps its part of the visited set (fc_vset) and checks the states it
 * discovers (fc_checkn), all with the model code and the hash of fc_runtime.h. */

/* The worker (of T) that owns a state with this hash: bits the visited set's shard (the top 4)
 * and slot (the low 32) choices do not use. */
static inline uint32_t owner_bits(uint64_t h, uint32_t T) { return (uint32_t)(((h >> 32) & 0xfffffffULL) % T); }

static void put_err(int64_t *ev, const fc_err *E) {
  ev[2] = E->kind; ev[3] = E->inst; ev[4] = E->upd; ev[5] = E->value; ev[6] = E->size;
}

/* Expand parents in[0..n) in order: their successors (canonical forms under symmetry) go to out,
 * with their action instance (acts) and owner (own, one of T workers); cnt[p]: parent p's number
 * of successors. Stops before the first parent that is stuck (with `deadlock`) or whose
 * successors raise a model error: ev = {1 deadlock / 2 error, parent, error fields}; ev[0] = 0
 * when none. Returns the successors written and sets *done to the parents expanded; out, acts
 * and own must have room for n * NINST successors. */
int64_t fc_expand(const uint64_t *in, uint64_t n, int deadlock, uint32_t T, uint64_t *out,
                  uint32_t *acts, uint32_t *own, uint32_t *cnt, uint64_t *done, int64_t *ev) {
  uint64_t m = 0, c[W];
  ev[0] = 0;
  for (uint64_t p = 0; p < n; p++) {
    fc_err E = {0};
    const uint64_t *s = in + p * W;
    uint64_t *o = out + m * W;
    int k = succ(s, o, acts + m, &E);
    if (k < 0) { ev[0] = 2; ev[1] = (int64_t)p; put_err(ev, &E); *done = p; return (int64_t)m; }
    if (deadlock) {   /* stuck: no action but the environment's is enabled */
      int progress = 0;
      for (int i = 0; i < k && !progress; i++) progress = PROGRESS[acts[m + i]];
      int f = progress ? 1 : is_final(s, &E);
      if (f <= 0) {
        ev[0] = f < 0 ? 2 : 1; ev[1] = (int64_t)p; put_err(ev, &E); *done = p;
        return (int64_t)m;
      }
    }
    for (int i = 0; i < k; i++) {
      uint64_t *t = o + (size_t)i * W;
      if (HAVE_SYM) { canon(t, c); memcpy(t, c, W * sizeof(uint64_t)); }
      own[m + i] = owner_bits(hash_state(t), T);
    }
    cnt[p] = (uint32_t)k;
    m += (uint64_t)k;
  }
  *done = n;
  return (int64_t)m;
}

/* The owner of one state (the initial state's canonical form, written to out). */
uint32_t fc_owner(const uint64_t *s, uint32_t T, uint64_t *out) {
  canon(s, out);
  return owner_bits(hash_state(out), T);
}

/* A worker's part of the visited set: exact, NSHARD open-addressing shards as in the search. */
typedef struct { shard_t sh[NSHARD]; } fc_vset;

void fc_vfree(fc_vset *v) {
  if (!v) return;
  for (int i = 0; i < NSHARD; i++) slots_free(v->sh[i].slots, v->sh[i].bytes, v->sh[i].cap);
  free(v);
}

fc_vset *fc_vnew(void) {
  fc_vset *v = calloc(1, sizeof(fc_vset));
  if (!v) return NULL;
  for (int i = 0; i < NSHARD; i++) {
    v->sh[i].cap = 512;
    v->sh[i].slots = slots_alloc(512, &v->sh[i].bytes);
    if (!v->sh[i].slots) { v->sh[i].cap = 0; fc_vfree(v); return NULL; }
  }
  return v;
}

/* Insert s[0..n) in order; isnew[i] = 1 where s[i] was not in the set before (so the first of
 * equal states is the new one). Returns how many were new; -1: out of memory (or the limit). */
int64_t fc_vinsert(fc_vset *v, const uint64_t *s, uint64_t n, uint8_t *isnew) {
  uint64_t *h = malloc((n ? n : 1) * sizeof(uint64_t));
  if (!h) return -1;
  for (uint64_t i = 0; i < n; i++) h[i] = hash_state(s + i * W);
  int64_t fresh = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (i + PREF < n) {
      const shard_t *ft = &v->sh[h[i + PREF] >> 60];
      __builtin_prefetch(ft->slots + slot_of(h[i + PREF], ft->cap) * SLOTW);
    }
    int r = shard_insert(&v->sh[h[i] >> 60], h[i], s + i * W);
    if (r < 0) { free(h); return -1; }
    isnew[i] = (uint8_t)r;
    fresh += r;
  }
  free(h);
  return fresh;
}

/* The first of s[0..n) that is not in the set (-1: all are). */
int64_t fc_vmissing(const fc_vset *v, const uint64_t *s, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t h = hash_state(s + i * W);
    if (!shard_has(&v->sh[h >> 60], h, s + i * W)) return (int64_t)i;
  }
  return -1;
}

/* Bytes of the set's tables. */
double fc_vbytes(const fc_vset *v) {
  double b = 0;
  for (int i = 0; i < NSHARD; i++) b += (double)v->sh[i].cap * SLOTW * sizeof(uint64_t);
  return b;
}

/* Newly discovered states s[0..n), in discovery order, the way the reference sees each: its goals
 * counted (hits[NGOALS]), then its invariants checked. *rep grows by the orbit size of each state
 * that passes (symmetry). Stops after the first state that breaks an invariant or raises a model
 * error: ev = {1 violation / 2 error, index, error fields, witness}; ev[0] = 0 when none.
 * Returns the states that passed. */
int64_t fc_checkn(const uint64_t *s, uint64_t n, uint64_t *hits, double *rep, int64_t *ev) {
  ev[0] = 0;
  for (uint64_t i = 0; i < n; i++) {
    const uint64_t *t = s + i * W;
    fc_err E = {0};
    int c = NGOALS ? observe(t, hits, &E) : -1;
    if (c == -1) c = check(t, &E);
    if (c != -1) {
      ev[0] = c == -2 ? 2 : 1; ev[1] = (int64_t)i; put_err(ev, &E); ev[7] = c;
      return (int64_t)i;
    }
#if HAVE_SYM
    uint64_t tmp[W];
    *rep += GROUP_ORDER / canon(t, tmp);
#else
    *rep += 1.0;
#endif
  }
  return (int64_t)n;
}

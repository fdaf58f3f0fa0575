/* flushcheck fast backend: leads-to properties (trigger ~> goal under weak/strong fairness).
 *
 * Included after fc_runtime.h. A separate, single-threaded pass after the safety search held:
 *   1. explore every reachable state (unreduced: symmetry does not preserve the fairness of
 *      individual action instances), numbering them in the reference explorer's BFS order;
 *      a state is W words in one array, a hash table of 32-bit ids finds it, and a compact
 *      edge store (CSR: per state an offset, per edge a 32-bit target and its action instance)
 *      keeps only the edges between two states where some property's goal does not hold;
 *      per state, each property's goal and trigger bits;
 *   2. per property: the states reachable from a triggered state without passing the goal,
 *      their strongly connected components (iterative Tarjan, roots in ascending id), each
 *      checked for fairness (weak: no weakly fair instance enabled throughout and never taken;
 *      strong: refined Emerson-Lei style by removing the states that enable a starved strongly
 *      fair instance) — the order and the choices of checker/explicit/liveness.py, so the
 *      lasso (prefix to a triggered state, path to the component, a loop taking one edge of
 *      each fair instance taken inside it) is the reference's, step for step.
 * Every allocation is counted against the memory limit (fc_runtime.h): hitting it ends the
 * pass as OUT_OF_MEMORY, which the caller reports as incomplete.
 */
#if NPROPS

#define LBLOCK 16      /* parents expanded together: their successors' slots are prefetched */

typedef struct fc_live {
  int status;
  fc_err err;
  uint64_t n, scap;            /* states, capacity */
  uint64_t *st;                /* n * W words */
  uint32_t *parent; via_t *via;
  uint32_t *bits;              /* goal bits (low 16), trigger bits (high 16) */
  uint64_t *tab; uint64_t tcap;/* hash table: hash tag << 32 | id (LEMPTY: empty) */
  uint64_t *off;               /* CSR: edges of state i are [off[i], off[i+1]) */
  uint32_t *etgt; via_t *evia; uint64_t ne, ecap;
  uint64_t next;               /* the next state to expand */
  uint64_t transitions;
  uint64_t *sbuf, *hbuf; uint32_t *abuf;   /* a block's successors, their hashes, instances */
  /* analysis */
  uint32_t *lab, *idx, *low, *stk, *wv; uint64_t *wpos;
  uint32_t counter;
  int32_t *lasso; uint64_t lasso_n, lasso_cap; int64_t loop_start;
} fc_live;

static void *lacct(void *old, size_t oldb, size_t newb) {
  if (newb > oldb && !mem_take(newb - oldb)) return NULL;
  void *p = realloc(old, newb ? newb : 1);
  if (!p) { if (newb > oldb) mem_give(newb - oldb); return NULL; }
  if (newb < oldb) mem_give(oldb - newb);
  return p;
}

static void lfree(void *p, size_t b) { if (p) { free(p); mem_give(b); } }

#define LGROW(L, ptr, type, oldn, newn) \
  ((ptr = lacct(ptr, (size_t)(oldn) * sizeof(type), (size_t)(newn) * sizeof(type))) != NULL)

static inline uint64_t *lstate(const fc_live *L, uint64_t i) { return L->st + i * W; }

#define LEMPTY UINT64_MAX
#define LTAG(h) ((h) >> 32)

static int ltab_grow(fc_live *L) {
  uint64_t nc = L->tcap ? L->tcap * 2 : 1 << 12;
  if (!mem_take(nc * sizeof(uint64_t))) return 0;
  uint64_t *nt = malloc(nc * sizeof(uint64_t));
  if (!nt) { mem_give(nc * sizeof(uint64_t)); return 0; }
  memset(nt, 0xff, nc * sizeof(uint64_t));
  for (uint64_t i = 0; i < L->tcap; i++) {
    uint64_t e = L->tab[i];
    if (e == LEMPTY) continue;
    uint64_t h = hash_state(lstate(L, e & 0xffffffffULL));
    uint64_t j = h & (nc - 1);
    while (nt[j] != LEMPTY) j = (j + 1) & (nc - 1);
    nt[j] = e;
  }
  lfree(L->tab, L->tcap * sizeof(uint64_t));
  L->tab = nt; L->tcap = nc;
  return 1;
}

/* the id of state s (hash h), adding it (parent, via) if new; -1: out of memory / limit */
static int64_t lfind(fc_live *L, const uint64_t *s, uint64_t h, uint64_t parent, int via) {
  uint64_t j = h & (L->tcap - 1);
  for (;;) {
    uint64_t e = L->tab[j];
    if (e == LEMPTY) break;
    if (LTAG(e) == LTAG(h) && same(lstate(L, e & 0xffffffffULL), s)) return (int64_t)(e & 0xffffffffULL);
    j = (j + 1) & (L->tcap - 1);
  }
  if (L->n >= UINT32_MAX - 1) return -1;
  if (L->n == L->scap) {
    uint64_t nc = L->scap + L->scap / 2;
    if (!LGROW(L, L->st, uint64_t, L->scap * W, nc * W) || !LGROW(L, L->parent, uint32_t, L->scap, nc)
        || !LGROW(L, L->via, via_t, L->scap, nc) || !LGROW(L, L->bits, uint32_t, L->scap, nc)
        || !LGROW(L, L->off, uint64_t, L->scap + 1, nc + 1)) return -1;
    L->scap = nc;
  }
  fc_err E = {0};
  int64_t b = live_bits(s, &E);
  if (b < 0) { L->err = E; L->status = ERROR; return -2; }
  uint64_t id = L->n++;
  memcpy(lstate(L, id), s, W * sizeof(uint64_t));
  L->parent[id] = (uint32_t)parent; L->via[id] = (via_t)via; L->bits[id] = (uint32_t)b;
  L->tab[j] = (LTAG(h) << 32) | id;
  if (L->n * 4 > L->tcap * 3 && !ltab_grow(L)) return -1;
  return (int64_t)id;
}

fc_live *fc_lnew(void) {
  if (!mem_take(sizeof(fc_live))) return NULL;
  fc_live *L = calloc(1, sizeof(fc_live));
  if (!L) return NULL;
  L->scap = 1 << 12;
  L->ecap = 1 << 12;
  if (!LGROW(L, L->st, uint64_t, 0, L->scap * W) || !LGROW(L, L->parent, uint32_t, 0, L->scap)
      || !LGROW(L, L->via, via_t, 0, L->scap) || !LGROW(L, L->bits, uint32_t, 0, L->scap)
      || !LGROW(L, L->off, uint64_t, 0, L->scap + 1) || !LGROW(L, L->etgt, uint32_t, 0, L->ecap)
      || !LGROW(L, L->evia, via_t, 0, L->ecap) || !ltab_grow(L)
      || !LGROW(L, L->sbuf, uint64_t, 0, LBLOCK * (NINST + 1) * W)
      || !LGROW(L, L->abuf, uint32_t, 0, LBLOCK * (NINST + 1))
      || !LGROW(L, L->hbuf, uint64_t, 0, LBLOCK * (NINST + 1))) {
    L->status = OUT_OF_MEMORY;
    return L;
  }
  L->off[0] = 0;
  int64_t r = lfind(L, INIT, hash_state(INIT), UINT32_MAX, 0);
  if (r < 0 && L->status != ERROR) L->status = OUT_OF_MEMORY;
  return L;
}

void fc_lfree(fc_live *L) {
  if (!L) return;
  lfree(L->st, L->scap * W * 8); lfree(L->parent, L->scap * 4); lfree(L->via, L->scap * sizeof(via_t));
  lfree(L->bits, L->scap * 4); lfree(L->off, (L->scap + 1) * 8); lfree(L->tab, L->tcap * 8);
  lfree(L->etgt, L->ecap * 4); lfree(L->evia, L->ecap * sizeof(via_t));
  lfree(L->sbuf, LBLOCK * (NINST + 1) * W * 8); lfree(L->abuf, LBLOCK * (NINST + 1) * 4);
  lfree(L->hbuf, LBLOCK * (NINST + 1) * 8);
  lfree(L->lab, L->scap * 4); lfree(L->idx, L->scap * 4); lfree(L->low, L->scap * 4);
  lfree(L->stk, L->scap * 4); lfree(L->wv, L->scap * 4); lfree(L->wpos, L->scap * 8);
  lfree(L->lasso, L->lasso_cap * 4);
  free(L); mem_give(sizeof(fc_live));
}

/* explore up to `budget` more states; RUNNING, HOLDS (all explored), ERROR or OUT_OF_MEMORY */
int fc_lstep(fc_live *L, uint64_t budget) {
  const uint32_t ALL = (1u << NPROPS) - 1;
  int cnt[LBLOCK];
  for (uint64_t done = 0; L->status == RUNNING && done < budget; ) {
    if (L->next == L->n) { L->status = HOLDS; break; }
    /* a block of parents of the current frontier (all already numbered): successors, hashes,
     * prefetched hash slots; then inserted one by one in the reference's order */
    uint64_t i0 = L->next, nb = L->n - i0;
    if (nb > LBLOCK) nb = LBLOCK;
    size_t m = 0;
    for (uint64_t b = 0; b < nb; b++) {
      fc_err E = {0};
      int n = succ(lstate(L, i0 + b), L->sbuf + m * W, L->abuf + m, &E);
      if (n < 0) { L->err = E; L->status = ERROR; return L->status; }
      cnt[b] = n;
      for (int k = 0; k < n; k++, m++) {
        uint64_t h = hash_state(L->sbuf + m * W);
        L->hbuf[m] = h;
        __builtin_prefetch(L->tab + (h & (L->tcap - 1)));
      }
    }
    m = 0;
    for (uint64_t b = 0; b < nb; b++, done++) {
    uint64_t i = i0 + b;
    int n = cnt[b];
    L->transitions += (uint64_t)n;
    uint32_t pend = ~L->bits[i] & ALL;
    for (int k = 0; k < n; k++, m++) {
      int64_t t = lfind(L, L->sbuf + m * W, L->hbuf[m], i, (int)L->abuf[m]);
      if (t < 0) { if (L->status != ERROR) L->status = OUT_OF_MEMORY; return L->status; }
      if (!(pend & ~L->bits[t])) continue;
      if (L->ne == L->ecap) {
        uint64_t nc = L->ecap + L->ecap / 2;
        if (!LGROW(L, L->etgt, uint32_t, L->ecap, nc) || !LGROW(L, L->evia, via_t, L->ecap, nc)) {
          L->status = OUT_OF_MEMORY; return L->status;
        }
        L->ecap = nc;
      }
      L->etgt[L->ne] = (uint32_t)t; L->evia[L->ne] = (via_t)L->abuf[m]; L->ne++;
    }
    L->off[i + 1] = L->ne;
    L->next++;
    }
  }
  return L->status;
}

/* states, transitions, edges kept, bytes counted, the memory limit was hit, error fields */
void fc_linfo(fc_live *L, int64_t *out) {
  out[0] = L->status; out[1] = (int64_t)L->n; out[2] = (int64_t)L->transitions;
  out[3] = (int64_t)L->ne; out[4] = (int64_t)MEM_PEAK; out[5] = MEM_HIT;
  out[6] = L->err.kind; out[7] = L->err.inst; out[8] = L->err.upd; out[9] = L->err.value;
  out[10] = L->err.size;
}

/* ------------------------------------------------------------------ the analysis */
#define L_DONE 0xFFFFFFFFu
#define L_CUR 0x80000000u      /* + depth: the component being checked at that depth */
#define UNSEEN 0xFFFFFFFFu

typedef struct { int p; uint32_t found; uint32_t *comp; uint64_t ncomp; } lctx;

/* the enabled instances of state i (into L->abuf), their number */
static int lenabled(fc_live *L, uint64_t i) {
  fc_err E = {0};
  return enab(lstate(L, i), L->abuf, &E);
}

static int u32cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int lfair(fc_live *L, lctx *cx, uint32_t X, uint32_t depth, const uint32_t *roots, uint64_t nroots);

/* component c (its nodes, labelled L_CUR+depth): fair (1), not (0), error (-1) */
static int lcheck_comp(fc_live *L, lctx *cx, uint32_t depth, uint32_t *c, uint64_t nc) {
  uint32_t C = L_CUR + depth;
  if (nc == 1) {
    int loop = 0;
    for (uint64_t e = L->off[c[0]]; e < L->off[c[0] + 1]; e++) loop |= L->etgt[e] == c[0];
    if (!loop) return 0;
  }
  uint8_t taken[NINST + 1];
  uint64_t cnt[NINST + 1];
  memset(taken, 0, sizeof taken); memset(cnt, 0, sizeof cnt);
  for (uint64_t a = 0; a < nc; a++) {
    uint32_t i = c[a];
    for (uint64_t e = L->off[i]; e < L->off[i + 1]; e++) if (L->lab[L->etgt[e]] == C) taken[L->evia[e]] = 1;
    int n = lenabled(L, i);
    for (int k = 0; k < n; k++) cnt[L->abuf[k]]++;
  }
  for (int k = 0; k < NINST; k++) if (FAIR[k] == 1 && !taken[k] && cnt[k] == nc) return 0;
  uint8_t starved[NINST + 1];
  int any = 0;
  for (int k = 0; k < NINST; k++) { starved[k] = FAIR[k] == 2 && !taken[k] && cnt[k]; any |= starved[k]; }
  if (!any) return 1;
  uint64_t nr = 0;
  uint32_t *rest = malloc((nc ? nc : 1) * sizeof(uint32_t));
  if (!rest || !mem_take(nc * sizeof(uint32_t))) { free(rest); return -1; }
  for (uint64_t a = 0; a < nc; a++) {
    int n = lenabled(L, c[a]), hit = 0;
    for (int k = 0; k < n && !hit; k++) hit = starved[L->abuf[k]];
    if (!hit) rest[nr++] = c[a];
  }
  qsort(rest, nr, sizeof(uint32_t), u32cmp);
  for (uint64_t a = 0; a < nr; a++) L->lab[rest[a]] = depth + 2;
  int r = nr ? lfair(L, cx, depth + 2, depth + 1, rest, nr) : 0;
  free(rest); mem_give(nc * sizeof(uint32_t));
  return r;
}

/* Tarjan over the states labelled X (roots in the given ascending order; NULL: every state);
 * each component, as completed, is checked; 1: a fair one was found (cx), 0: none, -1: error */
static int lfair(fc_live *L, lctx *cx, uint32_t X, uint32_t depth, const uint32_t *roots, uint64_t nroots) {
  uint64_t nr = roots ? nroots : L->n;
  /* indices restart per call: the states of this subset are unvisited (idx 0) */
  for (uint64_t a = 0; a < nr; a++) { uint32_t v = roots ? roots[a] : (uint32_t)a; if (L->lab[v] == X) L->idx[v] = 0; }
  uint32_t counter = 1;
  uint64_t sp = 0, wp = 0;     /* Tarjan stack, work stack */
  for (uint64_t a = 0; a < nr; a++) {
    uint32_t root = roots ? roots[a] : (uint32_t)a;
    if (L->lab[root] != X || L->idx[root]) continue;
    L->idx[root] = L->low[root] = counter++;
    L->stk[sp++] = root;
    L->wv[wp] = root; L->wpos[wp] = L->off[root]; wp++;
    while (wp) {
      uint32_t v = L->wv[wp - 1];
      uint64_t pos = L->wpos[wp - 1], end = L->off[v + 1];
      while (pos < end && L->lab[L->etgt[pos]] != X) pos++;
      if (pos < end) {
        L->wpos[wp - 1] = pos + 1;
        uint32_t w = L->etgt[pos];
        if (!L->idx[w]) {
          L->idx[w] = L->low[w] = counter++;
          L->stk[sp++] = w;
          L->wv[wp] = w; L->wpos[wp] = L->off[w]; wp++;
        } else if (L->idx[w] != UNSEEN && L->idx[w] < L->low[v]) {
          L->low[v] = L->idx[w];    /* on the stack: finished states get idx UNSEEN */
        }
        continue;
      }
      wp--;
      if (wp) { uint32_t u = L->wv[wp - 1]; if (L->low[v] < L->low[u]) L->low[u] = L->low[v]; }
      if (L->low[v] == L->idx[v]) {
        /* the component: stack from v up; labelled as the one being checked */
        uint64_t base = sp;
        while (L->stk[base - 1] != v) base--;
        base--;
        uint64_t nc = sp - base;
        uint32_t *c = malloc(nc * sizeof(uint32_t));
        if (!c || !mem_take(nc * sizeof(uint32_t))) { free(c); return -1; }
        /* in the reference's order: popped from the top */
        for (uint64_t q = 0; q < nc; q++) { c[q] = L->stk[sp - 1 - q]; L->lab[c[q]] = L_CUR + depth; L->idx[c[q]] = UNSEEN; }
        sp = base;
        int r = lcheck_comp(L, cx, depth, c, nc);
        if (r != 0) {
          if (r == 1 && !cx->found) {
            for (uint64_t q = 0; q < nc; q++) L->lab[c[q]] = L_CUR + depth;  /* a sub-call relabelled */
            cx->found = L_CUR + depth; cx->comp = c; cx->ncomp = nc;
          } else { free(c); mem_give(nc * sizeof(uint32_t)); }
          return r;
        }
        for (uint64_t q = 0; q < nc; q++) L->lab[c[q]] = L_DONE;
        free(c); mem_give(nc * sizeof(uint32_t));
      }
    }
  }
  return 0;
}

static int lpush(fc_live *L, int32_t k) {
  if (L->lasso_n == L->lasso_cap) {
    uint64_t nc = L->lasso_cap ? L->lasso_cap * 2 : 256;
    if (!LGROW(L, L->lasso, int32_t, L->lasso_cap, nc)) return 0;
    L->lasso_cap = nc;
  }
  L->lasso[L->lasso_n++] = k;
  return 1;
}

/* the first edge's instance from u to v */
static int32_t ledge(fc_live *L, uint32_t u, uint32_t v) {
  for (uint64_t e = L->off[u]; e < L->off[u + 1]; e++) if (L->etgt[e] == v) return L->evia[e];
  return -1;
}

/* BFS from the sources over states with in(lab) until goal (checked when dequeued, or when
 * discovered if `step`: a path of at least one step); prev in idx, the queue in low.
 * Appends the instances of the path to the lasso; returns the end state, UNSEEN if none. */
static uint32_t lpath(fc_live *L, const uint32_t *src, uint64_t nsrc, int mode, uint32_t C,
                      uint32_t target, int step, const uint32_t *reset, uint64_t nreset) {
  /* mode 0: inside every state with a nonzero label, goal: label C; mode 1: inside label C, goal: == target */
  for (uint64_t a = 0; a < nreset; a++) L->idx[reset[a]] = UNSEEN;
  uint64_t qh = 0, qt = 0;
  uint32_t end = UNSEEN;
  if (!step) for (uint64_t a = 0; a < nsrc; a++) { L->idx[src[a]] = src[a]; L->low[qt++] = src[a]; }
  else L->low[qt++] = src[0];
  while (qh < qt && end == UNSEEN) {
    uint32_t v = L->low[qh++];
    if (!step && (mode == 0 ? L->lab[v] == C : v == target)) { end = v; break; }
    for (uint64_t e = L->off[v]; e < L->off[v + 1]; e++) {
      uint32_t w = L->etgt[e];
      if (mode == 0 ? !L->lab[w] : L->lab[w] != C) continue;
      if (L->idx[w] != UNSEEN) continue;
      L->idx[w] = v;
      if (step && w == target) { end = w; break; }
      L->low[qt++] = w;
    }
  }
  if (end == UNSEEN) return UNSEEN;
  /* walk back to a source (prev of a source is itself, except with `step`) */
  uint64_t m = 0;
  uint32_t x = end;
  do { x = L->idx[x]; m++; } while (!(step ? x == src[0] : L->idx[x] == x));
  if (!step && L->idx[end] == end) m = 0;
  uint64_t at = L->lasso_n;
  for (uint64_t q = 0; q < m; q++) if (!lpush(L, 0)) return UNSEEN;
  x = end;
  for (uint64_t q = 0; q < m; q++) { uint32_t u = L->idx[x]; L->lasso[at + m - 1 - q] = ledge(L, u, x); x = u; }
  return end;
}

/* Check property p: 0 every fair path reaches the goal, 1 a lasso (fc_llasso), -1 out of memory */
int fc_lcheck(fc_live *L, int p) {
  uint64_t n = L->n;
  if (!L->lab) {
    if (!LGROW(L, L->lab, uint32_t, 0, L->scap) || !LGROW(L, L->idx, uint32_t, 0, L->scap)
        || !LGROW(L, L->low, uint32_t, 0, L->scap) || !LGROW(L, L->stk, uint32_t, 0, L->scap)
        || !LGROW(L, L->wv, uint32_t, 0, L->scap) || !LGROW(L, L->wpos, uint64_t, 0, L->scap)) return -1;
  }
  const uint32_t G = 1u << p, T = 1u << (16 + p);
  /* reach: from the triggered pending states, through pending states (label 1) */
  memset(L->lab, 0, n * sizeof(uint32_t));
  uint64_t qt = 0, nstart = 0;
  for (uint64_t i = 0; i < n; i++)
    if (!(L->bits[i] & G) && (L->bits[i] & T)) { L->lab[i] = 1; L->low[qt++] = (uint32_t)i; }
  nstart = qt;
  for (uint64_t qh = 0; qh < qt; qh++) {
    uint32_t v = L->low[qh];
    for (uint64_t e = L->off[v]; e < L->off[v + 1]; e++) {
      uint32_t w = L->etgt[e];
      if (!(L->bits[w] & G) && !L->lab[w]) { L->lab[w] = 1; L->low[qt++] = w; }
    }
  }
  lctx cx = {p, 0, NULL, 0};
  int r = lfair(L, &cx, 1, 0, NULL, 0);
  if (r <= 0) return r;
  L->lasso_n = 0;
  /* the starts again, ascending */
  uint32_t *starts = malloc((nstart ? nstart : 1) * sizeof(uint32_t));
  if (!starts || !mem_take(nstart * sizeof(uint32_t))) { free(starts); return -1; }
  uint64_t ns = 0;
  for (uint64_t i = 0; i < n; i++) if (!(L->bits[i] & G) && (L->bits[i] & T)) starts[ns++] = (uint32_t)i;
  /* mid: starts -> the component, inside reach; remembered separately, the prefix goes first */
  for (uint64_t i = 0; i < n; i++) L->idx[i] = UNSEEN;
  uint32_t entry = lpath(L, starts, ns, 0, cx.found, 0, 0, NULL, 0);
  free(starts); mem_give(nstart * sizeof(uint32_t));
  if (entry == UNSEEN) return -1;
  uint64_t nmid = L->lasso_n;
  uint32_t s = entry;
  for (uint64_t q = 0; q < nmid; q++) s = L->idx[s];     /* the triggered state the path starts at */
  uint64_t npre = 0;
  for (uint32_t j = s; L->parent[j] != UINT32_MAX; j = L->parent[j]) npre++;
  int32_t *mid = malloc((nmid ? nmid : 1) * sizeof(int32_t));
  if (!mid) return -1;
  memcpy(mid, L->lasso, nmid * sizeof(int32_t));
  L->lasso_n = 0;
  for (uint64_t q = 0; q < npre + nmid; q++) if (!lpush(L, 0)) { free(mid); return -1; }
  uint64_t q = npre;
  for (uint32_t j = s; L->parent[j] != UINT32_MAX; j = L->parent[j]) L->lasso[--q] = L->via[j];
  memcpy(L->lasso + npre, mid, nmid * sizeof(int32_t));
  free(mid);
  L->loop_start = (int64_t)(npre + nmid);
  /* the loop: one edge of each fair instance taken inside the component, in instance order */
  uint32_t C = cx.found;
  qsort(cx.comp, cx.ncomp, sizeof(uint32_t), u32cmp);
  int64_t fsrc[NINST + 1]; uint32_t fdst[NINST + 1];
  for (int k = 0; k < NINST; k++) fsrc[k] = -1;
  for (uint64_t a = 0; a < cx.ncomp; a++) {
    uint32_t i = cx.comp[a];
    for (uint64_t e = L->off[i]; e < L->off[i + 1]; e++) {
      uint32_t j = L->etgt[e]; int k = L->evia[e];
      if (L->lab[j] == C && FAIR[k] && fsrc[k] < 0) { fsrc[k] = i; fdst[k] = j; }
    }
  }
  uint32_t cur = entry;
  uint64_t before = L->lasso_n;
  int ok = 1;
  for (int k = 0; k < NINST && ok; k++) {
    if (fsrc[k] < 0) continue;
    uint32_t i = (uint32_t)fsrc[k];
    ok = lpath(L, &cur, 1, 1, C, i, 0, cx.comp, cx.ncomp) != UNSEEN && lpush(L, k);
    cur = fdst[k];
  }
  if (ok && (cur != entry || L->lasso_n == before))
    ok = lpath(L, &cur, 1, 1, C, entry, 1, cx.comp, cx.ncomp) != UNSEEN;
  free(cx.comp); mem_give(cx.ncomp * sizeof(uint32_t));
  return ok ? 1 : -1;
}

/* the lasso's action instances from the initial state (returns how many; -1: more than max);
 * *loop: the state the loop returns to */
int64_t fc_llasso(fc_live *L, int32_t *out, int64_t max, int64_t *loop) {
  if (!out) return (int64_t)L->lasso_n;
  if ((int64_t)L->lasso_n > max) return -1;
  memcpy(out, L->lasso, L->lasso_n * sizeof(int32_t));
  *loop = L->loop_start;
  return (int64_t)L->lasso_n;
}

#else
typedef struct fc_live { int status; } fc_live;
fc_live *fc_lnew(void) { return NULL; }
void fc_lfree(fc_live *L) { (void)L; }
int fc_lstep(fc_live *L, uint64_t b) { (void)L; (void)b; return ERROR; }
void fc_linfo(fc_live *L, int64_t *out) { (void)L; out[0] = ERROR; }
int fc_lcheck(fc_live *L, int p) { (void)L; (void)p; return -1; }
int64_t fc_llasso(fc_live *L, int32_t *out, int64_t max, int64_t *loop) { (void)L; (void)out; (void)max; (void)loop; return -1; }
#endif

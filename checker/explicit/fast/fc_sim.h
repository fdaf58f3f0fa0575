/* flushcheck fast backend: random walks (--simulate N --depth D --seed S), after fc_runtime.h.
 *
 * Walk w starts from the initial state with its own generator, x = mix64(seed ^ mix64(w + 1)),
 * and at each state takes successor number (r * n) >> 64 of the n enabled instances (in the
 * reference's instance order), r = mix64(x += GOLDEN): splitmix64, so the walks depend on the
 * seed alone, never on libc or the thread. At every state it checks the invariants and, before
 * moving on, deadlock; it ends at depth D, in a state with nothing enabled, or at the first
 * violation. A walk that can no longer beat the shortest violation found so far (its depth has
 * reached that length) stops early: the result — the shortest violation, the lowest walk number
 * among equals — is the same as if every walk had run to its end. checker/explicit/simulate.py
 * does the same in Python (the fallback, and the tests' reference): same walks, same counts.
 */
#define GOLDEN 0x9E3779B97F4A7C15ULL

typedef struct fc_sim {
  uint64_t seed, walks, next;   /* walks to run, the next walk's number */
  int64_t depth;
  int deadlock, status;
  int64_t best_len, deepest;    /* the shortest violation so far (-1: none); the deepest state */
  uint64_t best_walk, steps;
  int best_kind, best_code;     /* 1 invariant (its witness number), 3 deadlock */
  fc_err err;
  uint64_t *cov, *sbuf;
  uint32_t *abuf;
  int32_t *path, *best_path;
} fc_sim;

fc_sim *fc_snew(uint64_t seed, uint64_t walks, int64_t depth, int deadlock) {
  fc_sim *S = calloc(1, sizeof(fc_sim));
  if (!S) return NULL;
  S->seed = seed; S->walks = walks; S->depth = depth; S->deadlock = deadlock;
  S->best_len = -1; S->deepest = 0; S->status = RUNNING;
  S->cov = calloc(NINST + 1, sizeof(uint64_t));
  S->sbuf = malloc((NINST + 1) * W * sizeof(uint64_t));
  S->abuf = malloc((NINST + 1) * sizeof(uint32_t));
  S->path = malloc((size_t)(depth + 1) * sizeof(int32_t));
  S->best_path = malloc((size_t)(depth + 1) * sizeof(int32_t));
  if (!S->cov || !S->sbuf || !S->abuf || !S->path || !S->best_path) {
    free(S->cov); free(S->sbuf); free(S->abuf); free(S->path); free(S->best_path); free(S);
    return NULL;
  }
  return S;
}

void fc_sfree(fc_sim *S) {
  if (!S) return;
  free(S->cov); free(S->sbuf); free(S->abuf); free(S->path); free(S->best_path); free(S);
}

static void sim_found(fc_sim *S, uint64_t w, int64_t len, int kind, int code) {
  if (S->best_len >= 0 && (len > S->best_len || (len == S->best_len && w > S->best_walk))) return;
  S->best_len = len; S->best_walk = w; S->best_kind = kind; S->best_code = code;
  memcpy(S->best_path, S->path, (size_t)len * sizeof(int32_t));
}

/* one walk; 0, or -1 on a model error (S->err) */
static int sim_walk(fc_sim *S, uint64_t w) {
  uint64_t x = mix64(S->seed ^ mix64(w + 1));
  uint64_t s[W];
  memcpy(s, INIT, sizeof s);
  fc_err E = {0};
  int c = check(s, &E);
  if (c == -2) { S->err = E; return -1; }
  if (c >= 0) { sim_found(S, w, 0, 1, c); return 0; }
  for (int64_t d = 0;; d++) {
    if (d > S->deepest) S->deepest = d;
    if (S->best_len >= 0 && d >= S->best_len) return 0;   /* cannot be shorter */
    int n = succ(s, S->sbuf, S->abuf, &E);
    if (n < 0) { S->err = E; return -1; }
    if (S->deadlock) {
      int progress = 0;
      for (int i = 0; i < n && !progress; i++) progress = PROGRESS[S->abuf[i]];
      int f = progress ? 1 : is_final(s, &E);
      if (f < 0) { S->err = E; return -1; }
      if (!f) { sim_found(S, w, d, 3, 0); return 0; }
    }
    if (d == S->depth || n == 0) return 0;
    x += GOLDEN;
    uint64_t r = mix64(x);
    int i = (int)(((unsigned __int128)r * (uint64_t)n) >> 64);
    memcpy(s, S->sbuf + (size_t)i * W, W * sizeof(uint64_t));
    S->path[d] = (int32_t)S->abuf[i];
    S->cov[S->abuf[i]]++;
    S->steps++;
    c = check(s, &E);
    if (c == -2) { S->err = E; return -1; }
    if (c >= 0) {
      if (d + 1 > S->deepest) S->deepest = d + 1;
      sim_found(S, w, d + 1, 1, c);
      return 0;
    }
  }
}

/* run up to `budget` more walks; RUNNING while some are left, HOLDS when all ran, ERROR */
int fc_sstep(fc_sim *S, uint64_t budget) {
  for (uint64_t k = 0; k < budget && S->next < S->walks && S->status == RUNNING; k++) {
    if (sim_walk(S, S->next) < 0) { S->status = ERROR; break; }
    S->next++;
  }
  if (S->status == RUNNING && S->next == S->walks) S->status = HOLDS;
  return S->status;
}

/* status, walks done, steps, shortest violation's length (-1), its walk, kind, witness, deepest,
 * error kind, inst, update, value, size */
void fc_sinfo(fc_sim *S, int64_t *out) {
  out[0] = S->status; out[1] = (int64_t)S->next; out[2] = (int64_t)S->steps;
  out[3] = S->best_len; out[4] = (int64_t)S->best_walk; out[5] = S->best_kind; out[6] = S->best_code;
  out[7] = S->deepest; out[8] = S->err.kind; out[9] = S->err.inst; out[10] = S->err.upd;
  out[11] = S->err.value; out[12] = S->err.size;
}

void fc_scoverage(fc_sim *S, uint64_t *out) { memcpy(out, S->cov, NINST * sizeof(uint64_t)); }

/* the shortest violation's action instances; returns how many */
int fc_spath(fc_sim *S, int32_t *via, int max) {
  if (S->best_len < 0 || S->best_len > max) return -1;
  memcpy(via, S->best_path, (size_t)S->best_len * sizeof(int32_t));
  return (int)S->best_len;
}

/* Slot access by number, for indices known only at run time. */
static inline int64_t gslot(const uint64_t *s, int k) {
  return (int64_t)((s[SW[k]] >> SSH[k]) & SMK[k]) + SLO[k];
}

static inline void sslot(uint64_t *o, int k, int64_t v) {
  o[SW[k]] = (o[SW[k]] & ~(SMK[k] << SSH[k])) | ((((uint64_t)(v - SLO[k])) & SMK[k]) << SSH[k]);
}

static inline int64_t ix(fc_err *E, int64_t v, int64_t n) {
  if (v < 0 || v >= n) {
    if (!E->kind) { E->kind = 2; E->value = v; E->size = n; }
    return 0;
  }
  return v;
}

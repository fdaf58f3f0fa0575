/* sync_shootdown(N, R, P) in Promela: the same model as protocols/sync_shootdown.py.
 *
 *   spin -DN=4 -DR=2 -DP=1 -a sync_shootdown.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m1000000
 *   add -DWAIT=0 for the broken variant (frees without waiting; the assertion fails).
 *
 * One process whose loop offers every action as a d_step: one action is one transition and the
 * process counter is always back at the loop head, so SPIN's "states, stored" is the number of
 * distinct model states, as flushcheck counts them. Responder i (0..N-2) is CPU i+1. A TLB is a
 * bitmask over pages. `nmarked` is the number of marked responders: a function of `marked`, kept
 * so that guards need no loop; it adds no states. The invariant is asserted after every step.
 * N <= 12 and P <= 4 (one option per responder and page is written out with the preprocessor).
 */
#ifndef N
#define N 4
#endif
#ifndef R
#define R 2
#endif
#ifndef P
#define P 1
#endif
#ifndef WAIT
#define WAIT 1
#endif
#define NR (N - 1)

#define MAPPED 0
#define SENDING 1
#define LOCAL_FLUSH 2
#define WAITING 3
#define FREED 4
#define DONE 5

byte phase = MAPPED;
byte round = 0;
byte cleared = 0;
byte tlb0 = 0;                 /* bit j: CPU 0's entry for page j */
bool loaded[NR] = 1;
bool pending[NR];
bool in_handler[NR];
bool marked[NR];
byte nmarked = 0;
byte tlb[NR];                  /* bit j: responder i's entry for page j */
hidden byte k;

#define PTE(j) (phase == MAPPED && (j) >= cleared)
#define CHECK \
  if \
  :: (phase == FREED || phase == DONE) -> \
       assert(tlb0 == 0); \
       for (k : 0 .. NR - 1) { assert(tlb[k] == 0) } \
  :: else -> skip \
  fi

#define FILL0(j) :: d_step { PTE(j) && !(tlb0 & (1 << (j))) -> tlb0 = tlb0 | (1 << (j)); CHECK }
#define FILL(i, j) \
  :: d_step { !in_handler[i] && loaded[i] && PTE(j) && !(tlb[i] & (1 << (j))) -> \
              tlb[i] = tlb[i] | (1 << (j)); CHECK }

#if P > 3
#define FILLS(i) FILL(i, 0) FILL(i, 1) FILL(i, 2) FILL(i, 3)
#elif P > 2
#define FILLS(i) FILL(i, 0) FILL(i, 1) FILL(i, 2)
#elif P > 1
#define FILLS(i) FILL(i, 0) FILL(i, 1)
#else
#define FILLS(i) FILL(i, 0)
#endif

#define RESP(i) \
  :: d_step { phase == SENDING && !marked[i] -> marked[i] = 1; nmarked++; pending[i] = loaded[i]; CHECK } \
  :: d_step { phase == WAITING && marked[i] && !pending[i] -> marked[i] = 0; nmarked--; CHECK } \
  FILLS(i) \
  :: d_step { !in_handler[i] && loaded[i] -> loaded[i] = 0; tlb[i] = 0; CHECK } \
  :: d_step { !in_handler[i] && !loaded[i] -> loaded[i] = 1; CHECK } \
  :: d_step { !in_handler[i] && pending[i] -> tlb[i] = 0; in_handler[i] = 1; CHECK } \
  :: d_step { in_handler[i] -> pending[i] = 0; in_handler[i] = 0; CHECK }

active proctype shootdown()
{
  do
  /* CPU 0, the initiator */
  :: d_step { phase == MAPPED && cleared < P -> cleared++; CHECK }
  :: d_step { phase == MAPPED && cleared == P -> phase = SENDING; CHECK }
  :: d_step { phase == SENDING && nmarked == NR -> phase = LOCAL_FLUSH; CHECK }
#if WAIT
  :: d_step { phase == LOCAL_FLUSH -> tlb0 = 0; phase = WAITING; CHECK }
#else
  :: d_step { phase == LOCAL_FLUSH -> tlb0 = 0;
              for (k : 0 .. NR - 1) { marked[k] = 0 }; nmarked = 0; phase = FREED; CHECK }
#endif
  :: d_step { phase == WAITING && nmarked == 0 -> phase = FREED; CHECK }
  :: d_step { phase == FREED && round + 1 < R -> phase = MAPPED; round++; cleared = 0; CHECK }
  :: d_step { phase == FREED && round + 1 == R -> phase = DONE; CHECK }
  FILL0(0)
#if P > 1
  FILL0(1)
#endif
#if P > 2
  FILL0(2)
#endif
#if P > 3
  FILL0(3)
#endif
  /* the responders */
  RESP(0)
#if N > 2
  RESP(1)
#endif
#if N > 3
  RESP(2)
#endif
#if N > 4
  RESP(3)
#endif
#if N > 5
  RESP(4)
#endif
#if N > 6
  RESP(5)
#endif
#if N > 7
  RESP(6)
#endif
#if N > 8
  RESP(7)
#endif
#if N > 9
  RESP(8)
#endif
#if N > 10
  RESP(9)
#endif
#if N > 11
  RESP(10)
#endif
  od
}

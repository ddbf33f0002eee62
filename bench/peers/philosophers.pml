/* Copied verbatim (below this comment) from /work/shared/peers/philosophers.pml, the peer
 * anchors measured with SPIN 6.5.2; see /work/shared/peers/README.md for the
 * semantics. Used by bench/peers.ts (npm run bench). Do not edit here. */
/* philosophers.pml -- N dining philosophers (SPIN/Promela); compile with
 *   spin -DN=<n> -a philosophers.pml
 * Semantics: see README.md, section "philosophers-N". State-for-state
 * equivalent to philosophers.m.
 *
 * Philosopher i owns no variables; its SPIN program counter is the location:
 *   do-head  = THINK    (about to take left fork  fork[i])
 *   2nd loc  = HASLEFT  (about to take right fork fork[(i+1)%N])
 *   3rd loc  = EAT      (about to release both forks)
 * Deadlock (all N philosophers in HASLEFT, all forks taken) is reported by
 * SPIN as an "invalid end state" (disable with ./pan -E for full counts).
 */
#ifndef N
#define N 4
#endif

bit fork[N];       /* 1 = taken */

active [N] proctype phil()
{
	do
	:: d_step { fork[_pid] == 0 -> fork[_pid] = 1 };                    /* take left  */
	   d_step { fork[(_pid + 1) % N] == 0 -> fork[(_pid + 1) % N] = 1 }; /* take right */
	   d_step { fork[_pid] = 0; fork[(_pid + 1) % N] = 0 }                /* eat, then release both */
	od
}

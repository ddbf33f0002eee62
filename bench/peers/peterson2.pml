/* Copied verbatim (below this comment) from /work/shared/peers/peterson2.pml, the peer
 * anchors measured with SPIN 6.5.2; see /work/shared/peers/README.md for the
 * semantics. Used by bench/peers.ts (npm run bench). Do not edit here. */
/* peterson2.pml -- Peterson's mutual exclusion, 2 processes (SPIN/Promela).
 * Semantics: see README.md, section "peterson2". Must be state-for-state
 * equivalent to peterson2.m (rumur/Murphi).
 *
 * Per-process locations (SPIN program counter <-> Murphi pc[i]):
 *   L0 (do-head)        : about to set flag[i]        (Murphi pc = 0)
 *   L1                  : about to set turn           (Murphi pc = 1)
 *   L2                  : waiting to enter            (Murphi pc = 2)
 *   L3                  : in critical section         (Murphi pc = 3)
 * incs[i] is a ghost copy of (pc[i] == 3); it is a function of the
 * location, so it does not change the number of reachable states.
 */
bit flag[2];
bit turn;          /* initially 0 */
bit incs[2];       /* ghost: process i is in its critical section */

active [2] proctype P()
{
	do
	:: flag[_pid] = 1;                                   /* L0 -> L1 */
	   turn = 1 - _pid;                                  /* L1 -> L2 */
	   d_step { (flag[1 - _pid] == 0 || turn == _pid) -> /* L2 -> L3 (blocks otherwise) */
	            incs[_pid] = 1;
	            assert(incs[1 - _pid] == 0)              /* mutual exclusion */
	   };
	   d_step { incs[_pid] = 0; flag[_pid] = 0 }         /* L3 -> L0 */
	od
}

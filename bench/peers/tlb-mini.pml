/* Copied verbatim (below this comment) from /work/shared/peers/tlb-mini.pml, the peer
 * anchors measured with SPIN 6.5.2; see /work/shared/peers/README.md for the
 * semantics. Used by bench/peers.ts (npm run bench). Do not edit here. */
/* tlb-mini.pml -- minimal TLB-shootdown race model (SPIN/Promela).
 * Compile with:  spin -DNCPU=<2..4> -DNPAGE=<1..3> [-DFIXED] [-DNO_FREE_CHECK] -a tlb-mini.pml
 * Semantics: see README.md, section "tlb-mini". State-for-state equivalent
 * to tlb-mini.m.
 *
 * Variables (all global):
 *   pte[p]     1 = PTE p present (maps page p -> frame p), initially 1
 *   frame[p]   INUSE / FREED / REUSED, initially INUSE
 *   tlbmask[p] bit c set = CPU c's TLB caches the translation p -> frame p
 *              (only CPUs 1..NCPU-1 ever fill; CPU 0 runs the unmapper)
 * Processes (pid = CPU id for pids 0..NCPU-1):
 *   pid 0           unmapper: straight-line program, 2*NPAGE+1 steps
 *   pid 1..NCPU-1   accessor on CPU pid: one location, NPAGE atomic options
 *   pid NCPU        allocator: one location, reuses any FREED frame
 */
#ifndef NCPU
#define NCPU 2
#endif
#ifndef NPAGE
#define NPAGE 1
#endif
#if NPAGE > 3
#error "NPAGE must be 1..3 (straight-line unmapper is unrolled up to 3)"
#endif
#if NCPU > 8
#error "NCPU must be <= 8 (tlbmask is a byte)"
#endif

#define INUSE  0
#define FREED  1
#define REUSED 2

bit  pte[NPAGE] = 1;
byte frame[NPAGE];        /* all INUSE */
byte tlbmask[NPAGE];      /* all empty */

/* unmapper actions (each one atomic step) */
#define CLEAR(p)  d_step { pte[p] = 0 }
#ifdef NO_FREE_CHECK
#define FREE(p)   d_step { frame[p] = FREED }
#else
#define FREE(p)   d_step { assert(tlbmask[p] == 0); frame[p] = FREED }
#endif
/* flush all CPUs' TLB entries for this mm: one atomic step
   (unrolled, because -DBFS forbids 'hidden' scratch variables) */
#if NPAGE == 1
#define FLUSH     d_step { tlbmask[0] = 0 }
#elif NPAGE == 2
#define FLUSH     d_step { tlbmask[0] = 0; tlbmask[1] = 0 }
#else
#define FLUSH     d_step { tlbmask[0] = 0; tlbmask[1] = 0; tlbmask[2] = 0 }
#endif

active proctype unmapper()        /* CPU 0 */
{
#ifdef FIXED
	CLEAR(0);
#if NPAGE > 1
	CLEAR(1);
#endif
#if NPAGE > 2
	CLEAR(2);
#endif
	FLUSH;
	FREE(0);
#if NPAGE > 1
	FREE(1);
#endif
#if NPAGE > 2
	FREE(2);
#endif
#else /* BUGGY */
	CLEAR(0); FREE(0);
#if NPAGE > 1
	CLEAR(1); FREE(1);
#endif
#if NPAGE > 2
	CLEAR(2); FREE(2);
#endif
	FLUSH;
#endif
	/* done: the process stays at its end location (pid 0 is never removed
	   because higher-numbered processes never terminate) */
}

/* One accessor step on page p by CPU _pid: exactly one of access / fill / fault. */
#define STEP(p) d_step { \
	if \
	:: (tlbmask[p] & (1 << _pid)) != 0 -> assert(frame[p] == INUSE) /* access via TLB */ \
	:: else -> \
		if \
		:: pte[p] == 1 -> tlbmask[p] = tlbmask[p] | (1 << _pid)    /* hardware walk fills TLB */ \
		:: else -> skip                                              /* page fault: no-op */ \
		fi \
	fi }

active [NCPU - 1] proctype accessor()   /* CPUs 1..NCPU-1 */
{
	do
	:: STEP(0)
#if NPAGE > 1
	:: STEP(1)
#endif
#if NPAGE > 2
	:: STEP(2)
#endif
	od
}

active proctype allocator()
{
	do
	:: d_step { frame[0] == FREED -> frame[0] = REUSED }
#if NPAGE > 1
	:: d_step { frame[1] == FREED -> frame[1] = REUSED }
#endif
#if NPAGE > 2
	:: d_step { frame[2] == FREED -> frame[2] = REUSED }
#endif
	od
}

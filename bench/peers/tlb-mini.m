-- Copied verbatim (below this comment) from /work/shared/peers/tlb-mini.m, the peer
-- anchors measured with rumur 2022.08.20; see /work/shared/peers/README.md for
-- the semantics. Used by bench/peers.ts (npm run bench). Do not edit here.
-- tlb-mini.m -- minimal TLB-shootdown race model (rumur/Murphi).
-- Parameters are the constants below; run.sh substitutes them with sed.
-- Semantics: see README.md, section "tlb-mini". State-for-state equivalent
-- to tlb-mini.pml (with --symmetry-reduction off; with symmetry on, rumur
-- stores one representative per orbit under permutations of accessor CPUs).
const
  NCPU: 2;            -- CPU 0 = unmapper, CPUs 1..NCPU-1 = accessors
  NPAGE: 1;
  FIXED: false;       -- false = BUGGY variant, true = FIXED variant
  CHECK_FREE: true;   -- check "no TLB holds a frame when it is freed"

type
  cpu_t: scalarset(NCPU - 1);   -- accessor CPUs (interchangeable)
  page_t: 0..NPAGE-1;
  fstate_t: enum { INUSE, FREED, REUSED };
  upc_t: 0..2*NPAGE+1;           -- unmapper program counter; 2*NPAGE+1 = done

var
  pte:   array [page_t] of boolean;                 -- PTE p present (page p -> frame p)
  frame: array [page_t] of fstate_t;
  tlb:   array [cpu_t] of array [page_t] of boolean; -- TLB of accessor CPU c caches p
  upc:   upc_t;

startstate "init"
begin
  for p: page_t do
    pte[p] := true;
    frame[p] := INUSE;
    for c: cpu_t do
      tlb[c][p] := false;
    end;
  end;
  upc := 0;
end;

procedure free_frame(p: page_t);
begin
  if CHECK_FREE then
    assert (forall c: cpu_t do !tlb[c][p] end) "frame freed while a TLB still maps it";
  end;
  frame[p] := FREED;
end;

procedure flush_all();
begin
  for c: cpu_t do
    for q: page_t do
      tlb[c][q] := false;
    end;
  end;
end;

-- unmapper on CPU 0 (straight-line program, one rule per step)
ruleset p: page_t do
  rule "unmap: clear pte"
    (FIXED & upc = p) | (!FIXED & upc = 2*p) ==>
  begin
    pte[p] := false;
    upc := upc + 1;
  end;

  rule "unmap: free frame"
    (FIXED & upc = NPAGE + 1 + p) | (!FIXED & upc = 2*p + 1) ==>
  begin
    free_frame(p);
    upc := upc + 1;
  end;
endruleset;

rule "unmap: flush all TLBs"
  (FIXED & upc = NPAGE) | (!FIXED & upc = 2*NPAGE) ==>
begin
  flush_all();
  upc := upc + 1;
end;

-- accessor on CPU c, page p: exactly one of access / fill / fault
ruleset c: cpu_t; p: page_t do
  rule "accessor step" true ==>
  begin
    if tlb[c][p] then
      assert frame[p] = INUSE "access to a freed or reused frame via stale TLB entry";
    elsif pte[p] then
      tlb[c][p] := true;     -- hardware page walk fills TLB
    end;                     -- else: page fault, no-op
  end;
endruleset;

-- allocator: a freed frame may be reused
ruleset p: page_t do
  rule "allocator: reuse frame" frame[p] = FREED ==>
  begin
    frame[p] := REUSED;
  end;
endruleset;

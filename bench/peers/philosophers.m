-- Copied verbatim (below this comment) from /work/shared/peers/philosophers.m, the peer
-- anchors measured with rumur 2022.08.20; see /work/shared/peers/README.md for
-- the semantics. Used by bench/peers.ts (npm run bench). Do not edit here.
-- philosophers.m -- N dining philosophers (rumur/Murphi).
-- Set N by editing the constant below (run.sh substitutes it with sed).
-- Semantics: see README.md, section "philosophers-N". State-for-state
-- equivalent to philosophers.pml. Deadlock is found by rumur's
-- --deadlock-detection stuck (no rule enabled).
-- No scalarset: the ring topology (i, i+1 mod N) is only rotation-symmetric,
-- and Murphi scalarsets model full permutation symmetry.
const
  N: 4;

type
  ph_t: 0..N-1;
  loc_t: enum { THINK, HASLEFT, EAT };

var
  pc:   array [ph_t] of loc_t;
  fork: array [ph_t] of boolean;   -- true = taken

startstate "init"
begin
  for i: ph_t do
    pc[i] := THINK;
    fork[i] := false;
  end;
end;

ruleset i: ph_t do
  rule "take left" pc[i] = THINK & !fork[i] ==>
  begin
    fork[i] := true;
    pc[i] := HASLEFT;
  end;

  rule "take right" pc[i] = HASLEFT & !fork[(i + 1) % N] ==>
  begin
    fork[(i + 1) % N] := true;
    pc[i] := EAT;
  end;

  rule "release" pc[i] = EAT ==>
  begin
    fork[i] := false;
    fork[(i + 1) % N] := false;
    pc[i] := THINK;
  end;
endruleset;

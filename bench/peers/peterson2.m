-- Copied verbatim (below this comment) from /work/shared/peers/peterson2.m, the peer
-- anchors measured with rumur 2022.08.20; see /work/shared/peers/README.md for
-- the semantics. Used by bench/peers.ts (npm run bench). Do not edit here.
-- peterson2.m -- Peterson's mutual exclusion, 2 processes (rumur/Murphi).
-- Semantics: see README.md, section "peterson2". Must be state-for-state
-- equivalent to peterson2.pml (SPIN/Promela).
type
  pid_t: 0..1;
  pc_t: 0..3;   -- 0: about to set flag, 1: about to set turn, 2: waiting, 3: critical section

var
  pc:   array [pid_t] of pc_t;
  flag: array [pid_t] of boolean;
  turn: pid_t;

startstate "init"
begin
  for i: pid_t do
    pc[i] := 0;
    flag[i] := false;
  end;
  turn := 0;
end;

ruleset i: pid_t do
  rule "set flag" pc[i] = 0 ==>
  begin
    flag[i] := true;
    pc[i] := 1;
  end;

  rule "set turn" pc[i] = 1 ==>
  begin
    turn := 1 - i;
    pc[i] := 2;
  end;

  rule "enter" pc[i] = 2 & (!flag[1 - i] | turn = i) ==>
  begin
    pc[i] := 3;
  end;

  rule "exit" pc[i] = 3 ==>
  begin
    flag[i] := false;
    pc[i] := 0;
  end;
endruleset;

invariant "mutual exclusion"
  !(pc[0] = 3 & pc[1] = 3);

-- sync_shootdown(N, R, P) in Murphi (Rumur): the same model as protocols/sync_shootdown.py.
--
--   rumur --output model.c sync_shootdown.m && cc -std=c11 -O3 model.c -lpthread && ./a.out
--   rumur --symmetry-reduction off ...   explores every state (the count flushcheck reports
--   with --no-symmetry); the default reduces under permutations of the responders (scalarset).
--
-- Responder i is CPU i+1. benchmarks/peers.py rewrites the const lines for other bounds;
-- WAIT := false is the broken variant (frees without waiting; the invariant fails).

const
  N: 4;
  R: 2;
  P: 1;
  WAIT: true;

type
  Responder: scalarset(N - 1);
  Page: 0 .. P - 1;
  Phase: enum { MAPPED, SENDING, LOCAL_FLUSH, WAITING, FREED, DONE };

var
  phase: Phase;
  round: 0 .. R - 1;
  cleared: 0 .. P;
  tlb0: array [Page] of boolean;
  loaded: array [Responder] of boolean;
  pending: array [Responder] of boolean;
  in_handler: array [Responder] of boolean;
  marked: array [Responder] of boolean;
  tlb: array [Responder] of array [Page] of boolean;

function pte(j: Page): boolean;
begin
  return phase = MAPPED & j >= cleared;
end;

startstate "init"
begin
  phase := MAPPED;
  round := 0;
  cleared := 0;
  for j: Page do tlb0[j] := false; end;
  for i: Responder do
    loaded[i] := true;
    pending[i] := false;
    in_handler[i] := false;
    marked[i] := false;
    for j: Page do tlb[i][j] := false; end;
  end;
end;

-- CPU 0, the initiator

rule "clear_pte" phase = MAPPED & cleared < P ==>
begin
  cleared := cleared + 1;
end;

rule "start_send" phase = MAPPED & cleared = P ==>
begin
  phase := SENDING;
end;

ruleset i: Responder do
  rule "send_ipi" phase = SENDING & !marked[i] ==>
  begin
    marked[i] := true;
    pending[i] := loaded[i];
  end;
end;

rule "all_sent" phase = SENDING & forall i: Responder do marked[i] end ==>
begin
  phase := LOCAL_FLUSH;
end;

rule "local_flush" phase = LOCAL_FLUSH ==>
begin
  for j: Page do tlb0[j] := false; end;
  if WAIT then
    phase := WAITING;
  else
    for i: Responder do marked[i] := false; end;
    phase := FREED;
  end;
end;

ruleset i: Responder do
  rule "ack" phase = WAITING & marked[i] & !pending[i] ==>
  begin
    marked[i] := false;
  end;
end;

rule "all_acked" phase = WAITING & forall i: Responder do !marked[i] end ==>
begin
  phase := FREED;
end;

rule "next_round" phase = FREED & round + 1 < R ==>
begin
  phase := MAPPED;
  round := round + 1;
  cleared := 0;
end;

rule "finish" phase = FREED & round + 1 = R ==>
begin
  phase := DONE;
end;

-- the CPUs' TLBs and the responders

ruleset j: Page do
  rule "fill0" pte(j) & !tlb0[j] ==>
  begin
    tlb0[j] := true;
  end;
end;

ruleset i: Responder; j: Page do
  rule "fill" !in_handler[i] & loaded[i] & pte(j) & !tlb[i][j] ==>
  begin
    tlb[i][j] := true;
  end;
end;

ruleset i: Responder do
  rule "unload" !in_handler[i] & loaded[i] ==>
  begin
    loaded[i] := false;
    for j: Page do tlb[i][j] := false; end;
  end;

  rule "load" !in_handler[i] & !loaded[i] ==>
  begin
    loaded[i] := true;
  end;

  rule "handler_enter" !in_handler[i] & pending[i] ==>
  begin
    in_handler[i] := true;
    for j: Page do tlb[i][j] := false; end;
  end;

  rule "handler_exit" in_handler[i] ==>
  begin
    pending[i] := false;
    in_handler[i] := false;
  end;
end;

invariant "no_tlb_entry_after_free"
  (phase = FREED | phase = DONE) ->
    ((forall j: Page do !tlb0[j] end) &
     (forall i: Responder do forall j: Page do !tlb[i][j] end end));

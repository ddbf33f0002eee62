/**
 * A worker thread of the parallel search: builds the model once from its
 * registry, then expands chunks of the current BFS level into the shared
 * visited set and next-level frontier.
 */
import workerpool from 'workerpool';
import { SearchContext } from './context.ts';
import type { Model, ModelFactory } from './model.ts';
import type { ExpandResult, ExpandTask, FoundViolation, FoundWitness, ModelJob, RehashTask, WorkerSearchOptions } from './parallel-protocol.ts';
import { rehashRange, sharedHas, sharedInsert, sharedKey } from './shared-table.ts';

interface Entry {
  model: Model;
  ctx: SearchContext;
  s: Uint32Array;
  t: Uint32Array;
  key: Uint32Array;
}

const cache = new Map<string, Entry>();
let currentSearch = -1;

async function entryFor(searchId: number, job: ModelJob, options: WorkerSearchOptions): Promise<Entry> {
  if (searchId !== currentSearch) {
    cache.clear();
    currentSearch = searchId;
  }
  const k = JSON.stringify([job, options]);
  let e = cache.get(k);
  if (!e) {
    const mod = (await import(job.registry)) as { findModel(id: string): ModelFactory | undefined };
    const factory = mod.findModel(job.model);
    if (!factory) throw new Error(`worker: unknown model ${job.model}`);
    const model = factory.create(job.params);
    const ctx = new SearchContext(model, { symmetry: options.symmetry, all: options.all, checkDeadlock: options.checkDeadlock, skip: options.skip });
    e = { model, ctx, s: new Uint32Array(model.stateWords), t: new Uint32Array(model.stateWords), key: new Uint32Array(2) };
    cache.set(k, e);
  }
  return e;
}

async function expand(task: ExpandTask): Promise<ExpandResult> {
  const { model, ctx, s, t, key } = await entryFor(task.searchId, task.job, task.options);
  ctx.metricMax.fill(-Infinity);
  const W = model.stateWords;
  const A = model.actions.length;
  const { table, mask, cur, next, nextCount, parents, actions } = task;
  const violations: FoundViolation[] = [];
  const witnesses: FoundWitness[] = [];
  let transitions = 0;
  let truncated = false;
  let full = false;
  let stoppedAt = task.to;
  for (let i = task.from; i < task.to; i++) {
    // Every successor of this state might be new, and so might every other worker's
    // current state's: stop while there is room for all of them.
    if (Atomics.load(nextCount, 0) + task.margin > task.room) {
      stoppedAt = i;
      break;
    }
    for (let w = 0; w < W; w++) s[w] = cur[i * W + w]!;
    const id = task.curBase + i;
    let enabled = 0;
    for (let a = 0; a < A; a++) {
      if (!model.step(s, a, t)) continue;
      enabled++;
      if (!task.atDepthBound) transitions++;
      if (ctx.stepChecks.length > 0) {
        for (const c of ctx.brokenStep(s, a, t)) {
          violations.push({ property: c.id, statement: c.statement, kind: 'step', at: id, action: a });
          ctx.record({ property: c.id, statement: c.statement, initial: 0, path: [], kind: 'step' });
        }
      }
      if (ctx.reachSteps.length > 0) {
        // The worker's context forgets a property once it found it, so each worker reports it at most once.
        const before = ctx.witnesses.length;
        ctx.reachStep(s, a, t, () => ({ initial: 0, actions: [] }));
        for (const w of ctx.witnesses.slice(before)) witnesses.push({ property: w.property, statement: w.statement, kind: 'step', at: id, action: a });
      }
      const fp = ctx.hash(t);
      sharedKey(fp[0]!, fp[1]!, key);
      if (task.atDepthBound) {
        if (!sharedHas(table, mask, key[0]!, key[1]!)) truncated = true;
        continue;
      }
      if (full) continue;
      if (task.maxStates >= 0 && task.nextBase + Atomics.load(nextCount, 0) >= task.maxStates) {
        if (!sharedHas(table, mask, key[0]!, key[1]!)) full = true;
        continue;
      }
      if (!sharedInsert(table, mask, key[0]!, key[1]!)) continue;
      const pos = Atomics.add(nextCount, 0, 1);
      for (let w = 0; w < W; w++) next[pos * W + w] = t[w]!;
      const nid = task.nextBase + pos;
      parents[nid] = id;
      actions[nid] = a;
      ctx.observe(t);
      if (ctx.reachStates.length > 0) {
        const before = ctx.witnesses.length;
        ctx.reachState(t, () => ({ initial: 0, actions: [] }));
        for (const w of ctx.witnesses.slice(before)) witnesses.push({ property: w.property, statement: w.statement, kind: 'state', at: nid, action: -1 });
      }
      for (const c of ctx.brokenState(t)) {
        violations.push({ property: c.id, statement: c.statement, kind: 'state', at: nid, action: -1 });
        ctx.record({ property: c.id, statement: c.statement, initial: 0, path: [], kind: 'state' });
      }
    }
    if (enabled === 0 && ctx.checkDeadlock && !model.isFinal(s) && !ctx.hasViolation(ctx.deadlockId)) {
      violations.push({ property: ctx.deadlockId, statement: ctx.deadlockStatement, kind: 'deadlock', at: id, action: -1 });
      ctx.record({ property: ctx.deadlockId, statement: ctx.deadlockStatement, initial: 0, path: [], kind: 'deadlock' });
    }
  }
  return { transitions, violations, witnesses, metrics: Array.from(ctx.metricMax), truncated, full, stoppedAt };
}

function rehash(task: RehashTask): boolean {
  rehashRange(task.old, task.from, task.to, task.into, task.mask);
  return true;
}

/** Loads the model ahead of the first chunk (so worker start-up is not counted as search time). */
async function warm(searchId: number, job: ModelJob, options: WorkerSearchOptions): Promise<boolean> {
  await entryFor(searchId, job, options);
  return true;
}

workerpool.worker({ expand, rehash, warm });

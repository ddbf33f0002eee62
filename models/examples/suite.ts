/**
 * A suite over the example models: what the engine must answer on them, as
 * data (verdicts, shortest lengths, reachability witnesses). It shows the
 * suite mechanism is not TLB-specific, and `tlbcheck matrix --suite examples`
 * runs it (several seconds: philosophers 17 is last, 3.2 M states).
 */
import type { Suite, SuiteRow } from '../../src/suite/suite.ts';

const row = (id: string, model: string, params: SuiteRow['params'], expect: SuiteRow['expect'], ref: string): SuiteRow => ({
  id,
  model,
  params,
  columns: { row: id },
  expect,
  ref,
});

export function examplesSuite(): Suite {
  return {
    id: 'examples',
    title: 'the example models: pinned engine answers',
    columns: ['row'],
    metrics: [],
    options: { all: true },
    rows: [
      row('peterson', 'peterson', {}, { verdict: 'holds', reach: { 'p0-critical': 3, 'p1-enters-while-p0-waits': 5, 'both-critical': null } }, 'SPIN, rumur: 20 states'),
      row('broken-mutex', 'broken-mutex', {}, { verdict: 'violated', violated: ['mutex'], length: 4 }, 'test(0), test(1), set(0), set(1)'),
      row('philosophers/5', 'philosophers', { n: 5 }, { verdict: 'violated', violated: ['deadlock'], length: 5 }, 'everyone takes the left fork'),
      row('counters/4x5', 'counters', { n: 4, k: 5 }, { verdict: 'holds' }, '(K+1)^N states'),
      row('tlb-mini/buggy', 'tlb-mini', { variant: 'buggy' }, { verdict: 'violated', violated: ['no-stale-tlb-at-free', 'no-access-after-free'], length: 3 }, 'the peers\' SPIN and rumur models'),
      row('philosophers/17', 'philosophers', { n: 17 }, { verdict: 'violated', violated: ['deadlock'], length: 17 }, 'Q(17) = 3,215,042 states'),
    ],
  };
}

/**
 * Each job kind has its result type in the job table: reading a result as another kind's is a compile
 * error. `npm run typecheck` compiles this file; an `@ts-expect-error` that no longer finds its error fails
 * it. The runtime part checks that the table and the parser agree on every kind.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AddImagesResult } from '../../../electron/core/card/images.js';
import type { PrepareResult } from '../../../electron/core/card/prepare.js';
import type { JobKind, JobOf, JobResult, JobTable } from '../../../electron/core/writer/jobs.js';
import { parseJob } from '../../../electron/core/writer/jobs.js';
import type { runJob } from '../../../electron/core/writer/run-job.js';

type Outcome<J extends Parameters<typeof runJob>[1]> = Awaited<ReturnType<typeof runJob<J>>>['result'];

describe('job results are typed by kind', () => {
  it('gives each kind its own result type, and refuses another kind’s at compile time', () => {
    expectTypeOf<Outcome<JobOf<'remove'>>>().toEqualTypeOf<{ removed: string[] }>();
    expectTypeOf<Outcome<JobOf<'add'>>>().toEqualTypeOf<AddImagesResult>();
    expectTypeOf<JobResult<JobOf<'prepare'>>>().toEqualTypeOf<PrepareResult>();

    const removed = { removed: ['AstLinux-1.0.0.img'] } as Outcome<JobOf<'remove'>>;
    // @ts-expect-error a remove job's result is not an add job's
    const added: AddImagesResult = removed;
    // @ts-expect-error a prepare job's result has no `removed`
    const wrong: Outcome<JobOf<'prepare'>>['removed'] = [];
    // @ts-expect-error a job of a kind the table does not have is not a job
    const unknown: JobOf<'format-everything'> = { kind: 'format-everything' };
    void [added, wrong, unknown];
  });

  it('the parser takes every kind of the table, and nothing else', () => {
    const kinds: Record<JobKind, JobTable[JobKind]['fields'] & { kind: JobKind }> = {
      prepare: { kind: 'prepare', images: [] },
      add: { kind: 'add', images: ['/a/AstLinux-1.0.0.img'] },
      remove: { kind: 'remove', images: ['1.0.0'] },
      verify: { kind: 'verify' },
      repair: { kind: 'repair' },
      revert: { kind: 'revert' },
      'loader-update': { kind: 'loader-update' },
      'keydisk-place': { kind: 'keydisk-place', keydisk: null },
      'keydisk-whole': { kind: 'keydisk-whole', keydisk: null },
      sources: { kind: 'sources', urls: [] },
      keys: { kind: 'keys', add: ['/a/publisher.pub'], remove: ['0123456789abcdef'] },
      settings: { kind: 'settings', set: { HOSTNAME: 'pbx1' }, unset: ['NTPSERVS'] },
      provision: { kind: 'provision', images: ['/a/AstLinux-1.0.0.img'], cards: [{ keydisk: null }] },
    };
    for (const job of Object.values(kinds)) expect(parseJob(job).kind).toBe(job.kind);
    expect(() => parseJob({ kind: 'format-everything' })).toThrow(/does not do/);
  });
});

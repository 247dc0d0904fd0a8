// The result line of "Try this card" says "as predicted" only when the try showed it, and says loudly
// when the try and the prediction disagree (a disagreement cannot be produced honestly on a real card:
// the app predicts with the loader's own code, so these cases are checked on the words alone).
import { describe, expect, test } from 'vitest';
import { tryVerdict } from '../../renderer/src/components/try/try-words.js';
import type { TryOutcome } from '../../shared/api.js';

const booted: TryOutcome = {
  outcome: 'booted',
  firmware: 'bios',
  acceleration: { kind: 'tcg', reason: 'software emulation, because this computer offers no KVM' },
  started: 'AstLinux-1.5.10.img',
  startedVersion: '1.5.10',
  failed: null,
  stage: 'powered-off',
  predicted: 'AstLinux-1.5.10.img',
  predictedVersion: '1.5.10',
  asPredicted: true,
  loaderLines: ['kexec -e AstLinux-1.5.10.img'],
  seconds: 41.2,
  logPath: '/home/me/.astcard/try-logs/x.log',
  notes: [],
};

describe('the try result line', () => {
  test('as predicted: good, with the version', () => {
    expect(tryVerdict(booted)).toMatchObject({
      tone: 'good',
      title: 'Booted AstLinux 1.5.10, as predicted.',
      disagrees: false,
    });
  });

  test('another image than predicted: loud, and asks for a bug report with the log', () => {
    const verdict = tryVerdict({
      ...booted,
      started: 'AstLinux-1.5.9.img',
      startedVersion: '1.5.9',
      asPredicted: false,
    });
    expect(verdict).toMatchObject({
      tone: 'bad',
      title: 'NOT as predicted: booted AstLinux 1.5.9, but astcard predicted AstLinux 1.5.10.',
      disagrees: true,
    });
    expect(verdict.details.join(' ')).toMatch(/bug in astcard.*log.*kept/);
  });

  test('nothing booted: as predicted only when nothing was predicted', () => {
    const nothing = { ...booted, outcome: 'nothing-bootable' as const, started: null, startedVersion: null };
    expect(tryVerdict({ ...nothing, failed: 'FAILED: nothing bootable', asPredicted: false })).toMatchObject({
      tone: 'bad',
      disagrees: true,
      title: 'NOT as predicted: the loader booted nothing, but astcard predicted AstLinux 1.5.10.',
    });
    expect(
      tryVerdict({
        ...nothing,
        predicted: null,
        predictedVersion: null,
        failed: 'nothing bootable',
        asPredicted: true,
      }),
    ).toMatchObject({ tone: 'warning', title: 'Booted nothing, as predicted.', disagrees: false });
  });

  test('the predicted image started but its kernel never showed: not called "as predicted" outright', () => {
    const verdict = tryVerdict({ ...booted, stage: 'decided', asPredicted: false });
    expect(verdict.tone).toBe('warning');
    expect(verdict.title).toBe(
      'The loader started AstLinux 1.5.10, as predicted, but its kernel did not show on the console.',
    );
  });

  test('no decision in time, and a stop, say so without claiming anything about the card', () => {
    expect(
      tryVerdict({ ...booted, outcome: 'no-decision', started: null, asPredicted: false }),
    ).toMatchObject({
      tone: 'bad',
      title: 'No result: the loader decided nothing within 41 s.',
      disagrees: false,
    });
    const cancelled = { ...booted, outcome: 'cancelled' as const, asPredicted: false };
    expect(tryVerdict({ ...cancelled, started: null, stage: 'loader' }).title).toBe(
      'Stopped: the test machine was switched off before the loader had decided.',
    );
    // Stopped once the loader had started an image: never "before the loader had decided".
    expect(tryVerdict({ ...cancelled, stage: 'kernel' }).title).toBe(
      'Stopped: the test machine was switched off after the loader had started AstLinux 1.5.10.',
    );
  });
});

/**
 * A test boot in words: the result line beside the prediction — loud when they disagree — and where the
 * boot stands while it runs.
 */
import type { TryOutcome, TryStage } from '../../../../shared/api.js';

export interface TryVerdict {
  tone: 'good' | 'warning' | 'bad' | 'neutral';
  /** The result line. */
  title: string;
  /** What else the user should know, one sentence each. */
  details: string[];
  /** The try disagrees with the prediction: the log is evidence for a bug report. */
  disagrees: boolean;
}

const named = (image: string | null, version: string | null) =>
  image === null ? 'nothing' : version ? `AstLinux ${version}` : image;

const REACHED: Partial<Record<TryStage, string>> = {
  decided: 'its kernel did not show on the console',
  kernel: 'its kernel started',
  userspace: 'its kernel started its first program',
  login: 'it reached its login prompt',
  'powered-off': 'it ran and powered off',
};

export function tryVerdict(result: TryOutcome): TryVerdict {
  const started = named(result.started, result.startedVersion);
  const predicted = named(result.predicted, result.predictedVersion);
  const seconds = `${Math.round(result.seconds)} s`;
  const machine = `Test machine: ${result.firmware.toUpperCase()}, ${result.acceleration.reason}.`;
  const bugReport =
    'This is a bug in astcard: what it predicts is meant to be exactly what the loader does. The console log below is kept; please attach it to a bug report.';
  const details = [...result.notes, machine];

  if (result.outcome === 'cancelled') {
    return {
      tone: 'neutral',
      // Stopped after the loader's decision: say what it had started, not that it had decided nothing.
      title:
        result.stage === 'firmware' || result.stage === 'loader' || result.started === null
          ? 'Stopped: the test machine was switched off before the loader had decided.'
          : `Stopped: the test machine was switched off after the loader had started ${started}.`,
      details: [machine],
      disagrees: false,
    };
  }
  if (result.outcome === 'no-decision') {
    return {
      tone: 'bad',
      title: `No result: the loader decided nothing within ${seconds}.`,
      details: [
        `The prediction (${predicted}) could not be checked. The console log below shows how far it got.`,
        ...details,
      ],
      disagrees: false,
    };
  }
  if (result.outcome === 'nothing-bootable') {
    if (result.predicted === null) {
      return {
        tone: 'warning',
        title: 'Booted nothing, as predicted.',
        details: [`The loader said: ${result.failed ?? 'nothing can boot'}`, ...details],
        disagrees: false,
      };
    }
    return {
      tone: 'bad',
      title: `NOT as predicted: the loader booted nothing, but astcard predicted ${predicted}.`,
      details: [`The loader said: ${result.failed ?? 'nothing can boot'}`, bugReport, ...details],
      disagrees: true,
    };
  }
  // Booted: the loader started an image.
  const reached = REACHED[result.stage] ?? 'its kernel did not show on the console';
  if (result.asPredicted) {
    return {
      tone: 'good',
      title: `Booted ${started}, as predicted.`,
      details: [
        `${result.started} started and ${reached}, ${seconds} after the machine was switched on.`,
        ...details,
      ],
      disagrees: false,
    };
  }
  if (result.started === result.predicted) {
    return {
      tone: 'warning',
      title: `The loader started ${started}, as predicted, but ${reached}.`,
      details: [
        'The image may be damaged inside, or its kernel may not print to the serial console. The console log below is kept.',
        ...details,
      ],
      disagrees: false,
    };
  }
  return {
    tone: 'bad',
    title: `NOT as predicted: booted ${started}, but astcard predicted ${predicted}.`,
    details: [bugReport, ...details],
    disagrees: true,
  };
}

/** Where a running try stands, in a line. */
export function stageWords(stage: TryStage | null, firmware: string): string {
  switch (stage) {
    case null:
      return 'Checking every image as the loader will, to predict what it boots…';
    case 'firmware':
      return `Starting the test machine (${firmware.toUpperCase()}) from the card…`;
    case 'loader':
      return 'The loader is checking the images…';
    case 'decided':
      return 'The loader has decided; waiting for the started system’s kernel…';
    case 'kernel':
    case 'userspace':
      return 'The started system’s kernel is running…';
    default:
      return 'Finishing…';
  }
}

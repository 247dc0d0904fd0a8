import { parseArgs } from 'node:util';
import { inspectCard } from '../../core/card/inspect.js';
import { openTarget, targetKind } from '../../core/card/target.js';
import { readIdentity } from '../../core/drives/identity.js';
import { type TryResult, tryCard } from '../../core/try/index.js';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, cancelOnInterrupt, progressTo } from './support.js';

export const tryBoot: Command = {
  ...ABOUT.tryBoot,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { firmware: { type: 'string' }, timeout: { type: 'string' } },
      }),
    );
    const [card, ...extra] = positionals;
    if (!card || extra.length > 0) throw new UsageError(`usage: astcard ${tryBoot.usage}`);
    const firmware = values.firmware ?? 'bios';
    if (firmware !== 'bios' && firmware !== 'uefi') throw new UsageError('--firmware is bios or uefi');
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0))
      throw new UsageError('--timeout takes a number of seconds');
    const kind = await targetKind(card);
    if (kind === 'missing') throw new UsageError(`${card} does not exist.`);
    const identity = kind === 'block-device' ? await readIdentity(card) : undefined;
    const signal = cancelOnInterrupt();

    // The prediction: what the card doctor says the loader will boot, every checksum computed.
    const disk = await openTarget(card, { readOnly: true });
    let predicted: string | null;
    try {
      const report = await inspectCard(disk, { onProgress: progressTo(out), signal });
      predicted = report.boot?.image ?? null;
      if (report.network) out.say('The test machine has no network: the card boots its own images.');
    } finally {
      await disk.close();
    }
    out.say(
      `Predicted: ${predicted ?? 'nothing can boot'}. Starting the test machine (${firmware.toUpperCase()})…`,
    );
    const result = await tryCard(card, {
      firmware,
      predicted,
      ...(identity ? { identity } : {}),
      ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
      signal,
      onProgress: (progress) => {
        if (progress.stage === 'kernel') out.say('The started system’s kernel is running.');
      },
      onLine: (line) => {
        const loader = /\] astcard: (.*)$/.exec(line.trim());
        if (loader) out.say(`  loader: ${loader[1]}`);
      },
    });
    out.result(result, () => summary(result));
    if (result.asPredicted !== true || result.outcome !== 'booted') out.resultIsFailure();
  },
};

function summary(result: TryResult): string[] {
  const lines = [`Machine: ${result.firmware.toUpperCase()}, ${result.acceleration.reason}.`];
  if (result.outcome === 'booted' && result.started) {
    const reached =
      result.stage === 'login'
        ? 'it reached its login prompt'
        : result.stage === 'powered-off'
          ? 'it ran and powered off'
          : result.stage === 'userspace'
            ? 'its kernel started its first program'
            : result.stage === 'kernel'
              ? 'its kernel started'
              : 'its kernel did not show up on the console';
    lines.push(
      `Booted ${result.started}${result.asPredicted ? ', as predicted' : `, NOT as predicted (astcard predicted ${result.predicted ?? 'nothing'})`}; ${reached}.`,
    );
  } else if (result.outcome === 'nothing-bootable') {
    lines.push(`The loader booted nothing: ${result.failed}`);
    if (result.predicted) lines.push(`NOT as predicted: astcard predicted ${result.predicted}.`);
  } else if (result.outcome === 'cancelled') {
    lines.push('Stopped before the loader decided.');
  } else {
    lines.push(`The loader did not decide within the time allowed (${result.seconds.toFixed(0)} s).`);
  }
  lines.push(`Console log: ${result.logPath}`);
  return lines;
}

import { parseArgs } from 'node:util';
import { readSettingsOnCard } from '../../core/card/card-settings.js';
import { openTarget } from '../../core/card/target.js';
import { COMMON_SETTINGS } from '../../core/settings/index.js';
import { type Output, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const settings: Command = {
  ...ABOUT.settings,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({ args, allowPositionals: true, options: { ...DRIVE_OPTIONS } }),
    );
    const [action, target, ...rest] = positionals;
    const usage = () => new UsageError(`usage:\n  astcard ${ABOUT.settings.usage}`);
    if (!target) throw usage();
    if (action === 'show' && rest.length === 0) {
      const disk = await openTarget(target, { readOnly: true });
      try {
        const current = await readSettingsOnCard(disk);
        out.result(
          {
            file: current.file,
            values: current.values,
            effective: current.effective,
            warnings: current.warnings,
          },
          () => describe(current.values, current.effective, current.warnings),
        );
      } finally {
        await disk.close();
      }
      return;
    }
    if (action === 'set' && rest.length > 0) {
      const set: Record<string, string> = {};
      for (const assignment of rest) {
        const at = assignment.indexOf('=');
        if (at <= 0) throw new UsageError(`"${assignment}" is not NAME=value (for example HOSTNAME=pbx1).`);
        set[assignment.slice(0, at)] = assignment.slice(at + 1);
      }
      report(out, await runOnCard(target, { kind: 'settings', set }, values, out, 'change its settings'));
      return;
    }
    if (action === 'unset' && rest.length > 0) {
      report(
        out,
        await runOnCard(target, { kind: 'settings', unset: rest }, values, out, 'change its settings'),
      );
      return;
    }
    throw usage();
  },
};

function describe(
  values: Record<string, string>,
  effective: Record<string, { value: string; from: string }>,
  warnings: Array<{ message: string }>,
): string[] {
  const lines: string[] = [];
  for (const definition of COMMON_SETTINGS) {
    const value = effective[definition.name];
    const own = definition.name in values;
    lines.push(
      `${definition.name.padEnd(9)} ${value ? value.value : '(not set)'}${own ? '' : value ? `  (${value.from})` : ''}`,
    );
  }
  for (const [name, value] of Object.entries(values)) {
    if (!COMMON_SETTINGS.some((definition) => definition.name === name))
      lines.push(`${name.padEnd(9)} ${value}`);
  }
  for (const warning of warnings) lines.push(`Note: ${warning.message}`);
  return lines;
}

function report(
  out: Output,
  result: { file: string; changes: Array<{ name: string }>; warnings: Array<{ message: string }> },
) {
  out.result(result, () => [
    result.changes.length === 0
      ? 'Nothing to change: the keydisk already says so.'
      : `Changed ${result.changes.map((change) => change.name).join(', ')} in ${result.file} on the keydisk.`,
    ...result.warnings.map((warning) => `Note: ${warning.message}`),
  ]);
}

import { parseArgs } from 'node:util';
import type { ClassifiedDrive } from '../../core/drives/classify.js';
import { scanDrives } from '../../core/drives/drive-list.js';
import { formatBytes, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, parseSize } from './support.js';

const ACCESS_WORDS: Record<ClassifiedDrive['access'], string> = {
  ok: 'ready',
  confirm: 'asks to confirm',
  'type-name': 'type its name to use',
  blocked: 'cannot be used',
};

export const drives: Command = {
  ...ABOUT.drives,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          all: { type: 'boolean' },
          image: { type: 'string', multiple: true },
          needs: { type: 'string' },
        },
      }),
    );
    if (positionals.length > 0) throw new UsageError(`usage: astcard ${drives.usage}`);
    const listed = await scanDrives({
      ...(values.image ? { sourcePaths: values.image } : {}),
      ...(values.needs === undefined ? {} : { plannedBytes: parseSize(values.needs) }),
    });
    const shown = values.all ? listed : listed.filter((drive) => !drive.hidden);
    const hiddenCount = listed.length - shown.length;
    out.result({ drives: shown, hidden: hiddenCount }, () => [
      ...(shown.length === 0
        ? ['No card or USB drive found. Insert one (it may take a few seconds to appear).']
        : []),
      ...shown.flatMap(describe),
      ...(hiddenCount > 0
        ? [`${hiddenCount} more drive(s) hidden (system disks, empty slots); --all shows them.`]
        : []),
    ]);
  },
};

function describe(drive: ClassifiedDrive): string[] {
  const size = drive.size === null ? 'no media' : formatBytes(drive.size);
  const head = `${drive.device}  ${size}  ${drive.busType}  ${drive.description || '(no description)'}${drive.system ? '  system drive' : ''}  — ${ACCESS_WORDS[drive.access]}${drive.hidden ? ' (hidden)' : ''}`;
  const card = drive.card
    ? [
        `    AstLinux card ${drive.card.label ?? ''}: ${drive.card.images.join(', ') || 'no images'}${drive.card.boots ? `; boots ${drive.card.boots}` : ''}`,
      ]
    : [];
  return [head, ...drive.reasons.map((reason) => `    ${reason.code}: ${reason.message}`), ...card];
}

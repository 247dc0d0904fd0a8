import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listCardKeys } from '../../core/card/card-keys.js';
import { openTarget } from '../../core/card/target.js';
import { generateKeyPair } from '../../core/signing/index.js';
import { type Output, UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command, DRIVE_OPTIONS, runOnCard } from './support.js';

export const key: Command = {
  ...ABOUT.key,
  async run(args, out) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        allowPositionals: true,
        options: { comment: { type: 'string' }, ...DRIVE_OPTIONS },
      }),
    );
    const [action, target, ...rest] = positionals;
    const usage = () => new UsageError(`usage:\n  astcard ${ABOUT.key.usage}`);
    if (!target) throw usage();
    if (action === 'new' && rest.length === 0) {
      const pair = generateKeyPair(values.comment ?? 'astcard');
      const stem = resolve(target);
      // The secret key is the publisher's alone: never over an existing file, readable by its owner only.
      await writeFile(`${stem}.sec`, pair.secretKeyText, { mode: 0o600, flag: 'wx' }).catch((error) => {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw new UsageError(`${stem}.sec already exists; choose another name.`);
        throw error;
      });
      await writeFile(`${stem}.pub`, pair.publicKeyText, { flag: 'wx' });
      out.result({ keyNumber: pair.keyNumber, publicKey: `${stem}.pub`, secretKey: `${stem}.sec` }, () => [
        `Made key ${pair.keyNumber}: ${stem}.pub (give it to the cards that should trust you) and ${stem}.sec (keep it secret; it signs).`,
      ]);
      return;
    }
    if (action === 'list' && rest.length === 0) {
      const disk = await openTarget(target, { readOnly: true });
      try {
        report(out, await listCardKeys(disk));
      } finally {
        await disk.close();
      }
      return;
    }
    if (action === 'add' && rest.length > 0) {
      for (const file of rest)
        await readFile(file, 'utf8').catch(() => {
          throw new UsageError(`Cannot read the key ${file}.`);
        });
      const job = { kind: 'keys', add: rest.map((file) => resolve(file)) } as const;
      report(out, await runOnCard(target, job, values, out, 'change the keys it trusts'));
      return;
    }
    if (action === 'remove' && rest.length > 0) {
      report(
        out,
        await runOnCard(target, { kind: 'keys', remove: rest }, values, out, 'change the keys it trusts'),
      );
      return;
    }
    throw usage();
  },
};

function report(out: Output, keys: Awaited<ReturnType<typeof listCardKeys>>) {
  out.result({ keys }, () =>
    keys.length === 0
      ? ['The card trusts no key: its images boot by their checksum files, signed or not.']
      : keys.map((entry) =>
          entry.ok
            ? `${entry.keyNumber}  ${entry.comment}  (${entry.file})`
            : `${entry.file}: unusable (${entry.problem})`,
        ),
  );
}

// A real boot under QEMU (one boot, CI time is short) of a card that trusts a publisher's key and requires
// signatures: SYSLINUX → the loader → its signature check (Ed25519 under mujs, the astcard-signatures.js
// bundle) → the plan → kexec into the oldest image, the only one correctly signed, while the newer ones are
// refused: one unsigned (the newest), one signed by a key the card does not trust, one whose signed list was
// changed after signing. Keys and lists are made by Debian's signify-openbsd; `astcard inspect` reading the
// same card image must predict the boot, line for line.
// Needs `npm run build:loader` first, like boot-matrix.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { buildAstlinuxImage, fixtureCache, sha1Line } from '../fixtures/astlinux-images.js';
import { loaderAssets, makeCard, PARTITION_START } from '../fixtures/make-card.js';
import { boot } from './qemu.js';
import { handoffOf, loaderLines, markerOf } from './serial-log.js';

const dir = join(fixtureCache, 'signed-boot');
const VOLUME_ID = '5167-B007';
const OPTIONS = `astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff astlinux.signed=required`;
/** The one image a trusted key signed: it must boot. */
const SIGNED = 'AstLinux-0.4.0.img';
/** Newest first; each would boot by its .sha1 on a card without keys (they hold a real 0.10.0 image). */
const UNSIGNED = 'AstLinux-0.10.0.img';
const UNKNOWN_KEY = 'AstLinux-0.9.0.img';
const ALTERED = 'AstLinux-0.8.0.img';

let older: string;
let newer: string;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const signify = (...args: string[]) => execFileSync('signify-openbsd', args, { cwd: dir, stdio: 'pipe' });
const keyNumber = (pub: string) =>
  Buffer.from(readFileSync(join(dir, pub), 'utf8').split('\n')[1] ?? '', 'base64')
    .subarray(2, 10)
    .toString('hex');

/** A signed list naming `file` as `name` (as it is called on the card), signed with `secret`. */
function signList(secret: string, name: string, file: string, out: string) {
  writeFileSync(join(dir, 'list'), `SHA256 (${name}) = ${sha256(file)}\n`);
  signify('-S', '-e', '-s', secret, '-m', 'list', '-x', out);
}

function astcard(...args: string[]): string {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`astcard ${args.join(' ')} failed (${run.status}): ${run.stderr}${run.stdout}`);
  return run.stdout;
}

beforeAll(() => {
  loaderAssets();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  older = buildAstlinuxImage({ version: '0.4.0', format: 'squashfs' }, join(dir, 'v040.img'));
  newer = buildAstlinuxImage({ version: '0.10.0', format: 'ext2' }, join(dir, 'v0100.img'));
  signify('-G', '-n', '-c', 'ACME publisher', '-p', 'acme.pub', '-s', 'acme.sec');
  signify('-G', '-n', '-c', 'Someone else', '-p', 'other.pub', '-s', 'other.sec');
  signList('acme.sec', SIGNED, older, 'signed.sig');
  signList('other.sec', UNKNOWN_KEY, newer, 'unknown-key.sig');
  signList('acme.sec', ALTERED, newer, 'altered.sig');
  // One hex digit of the signed digest changed: the Ed25519 signature no longer matches the list.
  const altered = readFileSync(join(dir, 'altered.sig'), 'utf8');
  writeFileSync(
    join(dir, 'altered.sig'),
    altered.replace(/= ([0-9a-f])/, (_m, c) => `= ${c === '0' ? '1' : '0'}`),
  );
}, 120_000);

afterAll(() => {
  for (const file of readdirSync(dir)) if (file.endsWith('.card')) rmSync(join(dir, file), { force: true });
});

describe('signed images under QEMU', () => {
  test('required: the unsigned newest, an unknown key and an altered list are refused with their reasons; the signed older image boots, as inspect predicts', async () => {
    const card = join(dir, 'required.card');
    makeCard(card, {
      layout: 'mbr',
      volumeId: VOLUME_ID,
      append: OPTIONS,
      sizeMiB: 128,
      files: [
        { name: UNSIGNED, from: newer },
        { name: `${UNSIGNED}.sha1`, data: sha1Line(newer, UNSIGNED) },
        { name: UNKNOWN_KEY, from: newer },
        { name: `${UNKNOWN_KEY}.sha1`, data: sha1Line(newer, UNKNOWN_KEY) },
        { name: `${UNKNOWN_KEY}.sha256.sig`, from: join(dir, 'unknown-key.sig') },
        { name: ALTERED, from: newer },
        { name: `${ALTERED}.sha1`, data: sha1Line(newer, ALTERED) },
        { name: `${ALTERED}.sha256.sig`, from: join(dir, 'altered.sig') },
        { name: SIGNED, from: older },
        { name: `${SIGNED}.sha1`, data: sha1Line(older, SIGNED) },
        { name: `${SIGNED}.sha256.sig`, from: join(dir, 'signed.sig') },
      ],
    });
    // The trusted key, where `astcard key add` puts it.
    const volume = `${card}@@${PARTITION_START * 512}`;
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    execFileSync('mmd', ['-i', volume, '::keys'], { stdio: 'pipe', env });
    execFileSync('mcopy', ['-i', volume, join(dir, 'acme.pub'), '::keys/acme.pub'], { stdio: 'pipe', env });

    // The app's prediction first, from the card image as it will boot (the boot writes nothing to it).
    const inspected = JSON.parse(astcard('inspect', card, '--json'));

    // Room for a busy build machine: the loader's part takes ~30 s under software emulation, the image's as long.
    const result = await boot([{ file: card, interface: 'ide' }], { timeoutMs: 240_000 });
    writeFileSync(join(dir, 'required.log'), result.log);
    expect(result.timedOut, `timed out; log in ${dir}/required.log`).toBe(false);
    const said = loaderLines(result.log).map((line) => line.text);
    const story = said.join('\n');

    // The check ran under mujs in the guest and said, before the plan, why each newer image will not count.
    const check = said.find((line) => line.startsWith('signatures: policy required, 1 trusted key(s)'));
    expect(check, story).toMatch(/\(checked in \d+\.\d\d s\)$/);
    const reasons = [
      `${UNSIGNED}: not signed by a trusted key`,
      `${UNKNOWN_KEY}: ${UNKNOWN_KEY}.sha256.sig: signed with key ${keyNumber('other.pub')}, and it is not one of the trusted keys`,
      `${ALTERED}: ${ALTERED}.sha256.sig: the signature of key ${keyNumber('acme.pub')} does not match: the list was changed after signing, or the signature is damaged`,
      `${SIGNED}: signed by ACME publisher public key (${SIGNED}.sha256.sig)`,
    ];
    for (const reason of reasons) {
      expect(said, story).toContain(reason);
      expect(said.indexOf(reason), reason).toBeLessThan(said.indexOf(`verify ${SIGNED} (sha256)`));
    }
    // Only the signed image was hashed, against its signed SHA-256; none of the refused ones.
    expect(said).toContain(`${SIGNED}: sha256 checksum ok, signed by ACME publisher public key`);
    expect(said.filter((line) => line.startsWith('verify '))).toEqual([`verify ${SIGNED} (sha256)`]);

    const marker = markerOf(result.log);
    expect(marker?.version, story).toBe('0.4.0');
    const handoff = handoffOf(marker?.cmdline ?? '');
    expect(handoff.image).toBe(SIGNED);
    expect(handoff.digest).toBe(`sha256:${sha256(older)}`);

    // astcard inspect predicted this boot, with these lines, and says who signed what.
    expect(inspected.signatures).toEqual({ policy: 'required', keys: 1 });
    expect(inspected.boot.image).toBe(SIGNED);
    const status = (name: string) =>
      inspected.images.find((image: { name: string }) => image.name === name)?.signature?.status;
    expect([UNSIGNED, UNKNOWN_KEY, ALTERED, SIGNED].map(status)).toEqual([
      'unsigned',
      'unknown-key',
      'bad-signature',
      'signed',
    ]);
    const plain = said.map((line) => line.replace(/ \[[a-z0-9-]+\]$/, ''));
    let from = 0;
    for (const line of inspected.bootLines.slice(0, -1) as string[]) {
      const at = plain.indexOf(line, from);
      expect(at, `the loader said "${line}" (inspect predicted it)\n${story}`).toBeGreaterThanOrEqual(0);
      from = at + 1;
    }
    expect(inspected.bootLines.at(-1)).toBe(`booting ${SIGNED}`);
    console.log(`signed-boot: ${check} (QEMU TCG, software emulation)`);
  }, 420_000);
});

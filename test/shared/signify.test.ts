// signify's formats in shared/: vectors (also run under mujs by test/shared/mujs.test.ts), round trips,
// and Debian's signify-openbsd as the oracle: lists it signs verify here, and what fails there fails here.
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../shared/base64.js';
import { PolicyError } from '../../shared/errors.js';
import {
  formatChecksumList,
  formatPublicKey,
  formatSignedList,
  parseChecksumList,
  parsePublicKey,
  parseSignedList,
  type SignedListEntry,
  type SignifyPublicKey,
  verifySignedList,
} from '../../shared/signify.js';
import { expectVector, vectorRows } from './vector-table.js';

describe.each(['base64.json', 'signify-key.json', 'signify-list.json'])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

describe('base64', () => {
  it('encodes as Buffer does, and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const text = encodeBase64([...bytes]);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual([...bytes]);
      }),
    );
  });

  it('accepts a text exactly when it is the canonical encoding of some bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n';
    const text = fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength: 12 });
    fc.assert(
      fc.property(text, (candidate) => {
        const canonical =
          /^[A-Za-z0-9+/]*={0,2}$/.test(candidate) &&
          candidate.length % 4 === 0 &&
          Buffer.from(candidate, 'base64').toString('base64') === candidate;
        expect(decodeBase64(candidate) !== null, JSON.stringify(candidate)).toBe(canonical);
      }),
      { numRuns: 5000 },
    );
  });
});

/** A real Ed25519 public key from a seed, via Node. */
function publicKeyOf(seed: Uint8Array): number[] {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return [...createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32)];
}

const comment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((text) => !/[\r\n]/.test(text));
const fileName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((text) => !/[)\r\n]/.test(text));
const entry = fc.oneof(
  fc.record({
    algo: fc.constant<'sha256'>('sha256'),
    name: fileName,
    digest: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  }),
  fc.record({
    algo: fc.constant<'sha512'>('sha512'),
    name: fileName,
    digest: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Buffer.from(b).toString('hex')),
  }),
);

describe('formats round-trip', () => {
  it('a public key file reads back as the key, number and comment written', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        comment,
        (seed, number, text) => {
          const key: SignifyPublicKey = {
            keyNumber: Buffer.from(number).toString('hex'),
            publicKey: publicKeyOf(seed),
            comment: text,
          };
          expect(parsePublicKey(formatPublicKey(key))).toEqual({ ok: true, ...key });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a checksum list reads back as its entries (names deduplicated by the writer are kept once)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { minLength: 1, maxLength: 8, selector: (e) => e.name }),
        (entries) => {
          expect(parseChecksumList(formatChecksumList(entries))).toEqual({ ok: true, entries });
        },
      ),
    );
  });

  it('parseSignedList shows signature and entries without judging them', () => {
    const signature = {
      comment: 'verify with x.pub',
      keyNumber: '0011223344556677',
      signature: Array(64).fill(7),
    };
    const entries: SignedListEntry[] = [
      { algo: 'sha256', name: 'AstLinux-1.0.img', digest: 'ab'.repeat(32) },
    ];
    const message = formatChecksumList(entries);
    expect(parseSignedList(formatSignedList(signature, message))).toEqual({
      ok: true,
      signature,
      message,
      entries,
    });
  });

  it('the writers refuse what signify could not read back', () => {
    const key = { keyNumber: '0011223344556677', publicKey: publicKeyOf(new Uint8Array(32)), comment: 'a' };
    for (const bad of [
      () => formatPublicKey({ ...key, comment: 'two\nlines' }),
      () => formatPublicKey({ ...key, comment: '' }),
      () => formatPublicKey({ ...key, keyNumber: '0011' }),
      () => formatPublicKey({ ...key, publicKey: [1, 2, 3] }),
      () => formatChecksumList([{ algo: 'sha256', name: 'a)b.img', digest: 'ab'.repeat(32) }]),
      () => formatChecksumList([{ algo: 'sha256', name: 'a\nb.img', digest: 'ab'.repeat(32) }]),
      () => formatChecksumList([{ algo: 'sha512', name: 'a.img', digest: 'ab'.repeat(32) }]),
    ]) {
      expect(bad).toThrow(PolicyError);
    }
  });

  it('a list naming one file twice with different digests is refused; the same digest twice is kept once', () => {
    const line = (digest: string) => `SHA256 (AstLinux-1.0.img) = ${digest}\n`;
    expect(parseChecksumList(line('ab'.repeat(32)) + line('cd'.repeat(32)))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('second, different'),
    });
    expect(parseChecksumList(line('ab'.repeat(32)) + line('AB'.repeat(32)))).toMatchObject({
      ok: true,
      entries: [{ digest: 'ab'.repeat(32) }],
    });
    expect(parseChecksumList(`SHA256 (${'x'.repeat(1001)}) = ${'ab'.repeat(32)}\n`)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('too long'),
    });
  });
});

/** Runs Debian's signify-openbsd in `dir`; its absence is a failure, not a skip. */
function signify(dir: string, args: string[], input?: string) {
  const run = spawnSync('signify-openbsd', args, { cwd: dir, encoding: 'utf8', input });
  if (run.error)
    throw new Error(`signify-openbsd is required (apt-get install signify-openbsd): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('lists signed by signify-openbsd verify in astcard, and what signify refuses astcard refuses', () => {
  let dir = '';
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const key = (name: string) => {
    const parsed = parsePublicKey(read(name));
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'astcard-signify-'));
    expect(signify(dir, ['-G', '-n', '-c', 'publisher', '-p', 'a.pub', '-s', 'a.sec']).status).toBe(0);
    expect(signify(dir, ['-G', '-n', '-c', 'stranger', '-p', 'b.pub', '-s', 'b.sec']).status).toBe(0);
    for (const version of ['1.5.9', '1.5.10'])
      writeFileSync(join(dir, `AstLinux-${version}.img`), `image ${version}\n`);
    const list = spawnSync('sha256sum', ['--tag', 'AstLinux-1.5.10.img', 'AstLinux-1.5.9.img'], { cwd: dir });
    writeFileSync(join(dir, 'SHA256'), list.stdout);
    expect(signify(dir, ['-S', '-e', '-s', 'a.sec', '-m', 'SHA256', '-x', 'SHA256.sig']).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies, naming each image with the digest sha256sum computed', () => {
    const result = verifySignedList(read('SHA256.sig'), [key('b.pub'), key('a.pub')]);
    const digest = (name: string) =>
      createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex');
    expect(result).toEqual({
      ok: true,
      keyNumber: key('a.pub').keyNumber,
      keyComment: 'publisher public key',
      entries: [
        { algo: 'sha256', name: 'AstLinux-1.5.10.img', digest: digest('AstLinux-1.5.10.img') },
        { algo: 'sha256', name: 'AstLinux-1.5.9.img', digest: digest('AstLinux-1.5.9.img') },
      ],
    });
    expect(signify(dir, ['-C', '-p', 'a.pub', '-x', 'SHA256.sig']).status).toBe(0);
  });

  it('another key: signify refuses it, astcard says unknown-key', () => {
    expect(signify(dir, ['-C', '-p', 'b.pub', '-x', 'SHA256.sig']).output).toContain('wrong key');
    expect(verifySignedList(read('SHA256.sig'), [key('b.pub')])).toMatchObject({
      ok: false,
      verdict: 'unknown-key',
    });
  });

  it('an altered list: signify refuses it, astcard says bad-signature', () => {
    const altered = read('SHA256.sig').replace('AstLinux-1.5.9.img', 'AstLinux-1.5.8.img');
    writeFileSync(join(dir, 'altered.sig'), altered);
    expect(signify(dir, ['-C', '-p', 'a.pub', '-x', 'altered.sig']).output).toContain('verification failed');
    expect(verifySignedList(altered, [key('a.pub')])).toMatchObject({ ok: false, verdict: 'bad-signature' });
  });

  it('a truncated signature file: both refuse it', () => {
    const whole = read('SHA256.sig');
    for (const length of [whole.length - 10, whole.indexOf('\n') + 20, 10]) {
      const cut = whole.slice(0, length);
      writeFileSync(join(dir, 'cut.sig'), cut);
      expect(signify(dir, ['-C', '-p', 'a.pub', '-x', 'cut.sig']).status, `${length}`).not.toBe(0);
      const result = verifySignedList(cut, [key('a.pub')]);
      expect(result.ok, `${length}`).toBe(false);
      expect(['bad-signature', 'malformed']).toContain(result.ok ? '' : result.verdict);
    }
  });
});

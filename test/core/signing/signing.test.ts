// Node-side signing against Debian's signify-openbsd: keys astcard makes work in signify, keys signify
// makes work in astcard, and lists astcard signs pass `signify -C` (byte for byte what `signify -S -e`
// writes for the same key and list).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  readSecretKey,
  SigningError,
  signList,
} from '../../../electron/core/signing/index.js';
import { decodeBase64, encodeBase64 } from '../../../shared/base64.js';
import { parsePublicKey, type SignedListEntry, verifySignedList } from '../../../shared/signify.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'astcard-signing-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(path(name), 'utf8');

/** Runs Debian's signify-openbsd in the scratch folder; its absence is a failure, not a skip. */
function signify(args: string[], input?: string) {
  const run = spawnSync('signify-openbsd', args, { cwd: dir, encoding: 'utf8', input });
  if (run.error)
    throw new Error(`signify-openbsd is required (apt-get install signify-openbsd): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Image files and their SHA-256 entries. */
function images(...versions: string[]): SignedListEntry[] {
  return versions.map((version) => {
    const name = `AstLinux-${version}.img`;
    writeFileSync(path(name), `image ${version}\n`.repeat(1000));
    return {
      algo: 'sha256',
      name,
      digest: createHash('sha256')
        .update(readFileSync(path(name)))
        .digest('hex'),
    };
  });
}

function expectSigningError(run: () => unknown, code: string): SigningError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SigningError);
    expect((error as SigningError).code).toBe(code);
    return error as SigningError;
  }
  throw new Error(`expected SigningError ${code}`);
}

describe('keys astcard makes', () => {
  it('are a signify key pair: signify signs with the .sec and checks with the .pub', () => {
    const pair = generateKeyPair('astcard test');
    writeFileSync(path('astcard.pub'), pair.publicKeyText);
    writeFileSync(path('astcard.sec'), pair.secretKeyText);
    expect(pair.publicKeyText.split('\n')[0]).toBe('untrusted comment: astcard test public key');
    expect(pair.secretKeyText.split('\n')[0]).toBe('untrusted comment: astcard test secret key');
    const entries = images('1.5.10');
    writeFileSync(path('SHA256'), `SHA256 (AstLinux-1.5.10.img) = ${entries[0]?.digest}\n`);
    expect(signify(['-S', '-e', '-s', 'astcard.sec', '-m', 'SHA256', '-x', 'SHA256.sig']).status).toBe(0);
    const check = signify(['-C', '-p', 'astcard.pub', '-x', 'SHA256.sig']);
    expect(check.output).toContain('AstLinux-1.5.10.img: OK');
    expect(check.status).toBe(0);
    const publicKey = parsePublicKey(pair.publicKeyText);
    expect(publicKey).toMatchObject({ ok: true, keyNumber: pair.keyNumber });
  });

  it('sign lists that signify -C accepts, byte for byte what signify -S -e writes', () => {
    const pair = generateKeyPair('byte for byte');
    writeFileSync(path('bfb.sec'), pair.secretKeyText);
    writeFileSync(path('bfb.pub'), pair.publicKeyText);
    const entries = images('1.5.9', '1.5.10', '2.0');
    const text = signList(readSecretKey(pair.secretKeyText), entries, { comment: 'verify with bfb.pub' });
    writeFileSync(path('list.sig'), text);
    const check = signify(['-C', '-p', 'bfb.pub', '-x', 'list.sig']);
    expect(check.status, check.output).toBe(0);
    for (const entry of entries) expect(check.output).toContain(`${entry.name}: OK`);
    // Ed25519 is deterministic: signify signing the same message with the same key writes the same file.
    writeFileSync(path('list'), text.split('\n').slice(2).join('\n'));
    expect(signify(['-S', '-e', '-s', 'bfb.sec', '-m', 'list', '-x', 'by-signify.sig']).status).toBe(0);
    expect(read('by-signify.sig')).toBe(text);
  });

  it('every new key pair is a different key with a different key number', () => {
    const numbers = new Set(Array.from({ length: 20 }, () => generateKeyPair('x').keyNumber));
    expect(numbers.size).toBe(20);
  });

  it('refuse comments signify could not store', () => {
    for (const comment of ['', 'two\nlines', 'x'.repeat(1001)]) {
      expectSigningError(() => generateKeyPair(comment), 'invalid-option');
    }
  });
});

describe('keys signify makes', () => {
  it('sign lists in astcard that signify and astcard both accept', () => {
    expect(signify(['-G', '-n', '-c', 'from signify', '-p', 's.pub', '-s', 's.sec']).status).toBe(0);
    const secretKey = readSecretKey(read('s.sec'));
    expect(secretKey.comment).toBe('from signify secret key');
    const publicKey = parsePublicKey(read('s.pub'));
    if (!publicKey.ok) throw new Error(publicKey.reason);
    expect(secretKey.publicKey).toEqual({
      keyNumber: publicKey.keyNumber,
      publicKey: publicKey.publicKey,
      comment: 'from signify public key',
    });
    const entries = images('1.6.0', '1.5.11');
    const text = signList(secretKey, entries);
    expect(text.split('\n')[0]).toBe('untrusted comment: signature from from signify secret key');
    writeFileSync(path('s-list.sig'), text);
    expect(signify(['-C', '-p', 's.pub', '-x', 's-list.sig']).status).toBe(0);
    expect(verifySignedList(text, [publicKey])).toEqual({
      ok: true,
      keyNumber: publicKey.keyNumber,
      keyComment: 'from signify public key',
      entries,
    });
  });

  it('with a passphrase are refused with a plain message, not misread', () => {
    const made = signify(['-G', '-c', 'protected', '-p', 'p.pub', '-s', 'p.sec'], 'correct horse\n');
    expect(made.status, made.output).toBe(0);
    const error = expectSigningError(() => readSecretKey(read('p.sec')), 'key-needs-passphrase');
    expect(error.message).toContain('passphrase');
    expect(error.detail).toMatch(/bcrypt_pbkdf with \d+ rounds/);
  });
});

describe('damaged or foreign secret keys', () => {
  const good = () => generateKeyPair('damage').secretKeyText;
  /** The .sec text with its decoded bytes changed by `edit`. */
  const edited = (text: string, edit: (bytes: number[]) => void) => {
    const [comment, line] = text.split('\n');
    const bytes = decodeBase64(line ?? '') ?? [];
    edit(bytes);
    return `${comment}\n${encodeBase64(bytes)}\n`;
  };

  it('a changed secret key byte fails the checksum', () => {
    const error = expectSigningError(
      () =>
        readSecretKey(
          edited(good(), (b) => {
            b[50] = (b[50] as number) ^ 1;
          }),
        ),
      'bad-secret-key',
    );
    expect(error.message).toContain('damaged');
  });

  it('a changed public half no longer matches the seed', () => {
    // The checksum covers both halves, so recompute it as a careless tool would.
    const text = edited(good(), (b) => {
      b[100] = (b[100] as number) ^ 1;
      const checksum = createHash('sha512')
        .update(Buffer.from(b.slice(40, 104)))
        .digest();
      for (let i = 0; i < 8; i++) b[24 + i] = checksum[i] as number;
    });
    expect(expectSigningError(() => readSecretKey(text), 'bad-secret-key').message).toContain('two halves');
  });

  it('another key protection, a public key, and text that is no key are refused', () => {
    expectSigningError(
      () =>
        readSecretKey(
          edited(good(), (b) => {
            b[2] = 0x58;
          }),
        ),
      'bad-secret-key',
    );
    expectSigningError(() => readSecretKey(generateKeyPair('pub').publicKeyText), 'bad-secret-key');
    expectSigningError(() => readSecretKey('hello\n'), 'bad-secret-key');
  });

  it('a list entry signify cannot write is refused before signing', () => {
    const key = readSecretKey(good());
    expectSigningError(
      () => signList(key, [{ algo: 'sha256', name: 'a)b', digest: 'ab'.repeat(32) }]),
      'invalid-option',
    );
    expectSigningError(
      () => signList(key, [{ algo: 'sha256', name: 'a.img', digest: 'abc' }]),
      'invalid-option',
    );
  });
});

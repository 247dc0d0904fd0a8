// The loader's signature check (loader/plan/signatures-cli.ts, its own ES5 bundle) and the plan CLI reading
// its statuses file, under Debian's mujs and in Node (same lines required), on a real card directory listed
// as the init lists it, with keys and signed lists made by Debian's signify-openbsd. The lines must be the
// ones the shared planBoot/judgeCandidate give when fed judgeSignatures directly, as the app feeds them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatStatuses, parseStatuses } from '../../loader/plan/signature-statuses.js';
import { runSignaturesCli } from '../../loader/plan/signatures-cli.js';
import { judgeCandidate, planBoot } from '../../shared/boot-plan.js';
import { judgeSignatures, type SignatureStatus } from '../../shared/signed-images.js';
import { type PlanRun, planBundleForFile, runBoth, runUnderMujs } from './plan-cli-runs.js';

const plan = planBundleForFile('astcard-plan-signatures-');
const both = (...args: string[]): PlanRun => runBoth(plan.bundle, args);
let signaturesBundle: string;

/** The signatures CLI under mujs, checked line for line against the same code in Node. */
function signatures(...args: string[]): PlanRun {
  const result = spawnSync('mujs', [signaturesBundle, ...args], { encoding: 'utf8' });
  if (result.error) throw new Error(`mujs is required (apt-get install mujs): ${result.error.message}`);
  const fromMujs = {
    code: result.status ?? -1,
    lines: result.stdout.split('\n').filter((line) => line !== ''),
  };
  const lines: string[] = [];
  const code = runSignaturesCli(args, {
    read: (path) => readFileSync(path, 'utf8'),
    print: (line) => lines.push(...line.split('\n')),
  });
  expect(fromMujs).toEqual({ code, lines });
  return fromMujs;
}

let card: string;
const sha = (tool: string, name: string) =>
  execFileSync(tool, [name], { cwd: card, encoding: 'utf8' }).slice(0, tool === 'sha1sum' ? 40 : 64);
const signify = (...args: string[]) => execFileSync('signify-openbsd', args, { cwd: card, stdio: 'pipe' });
const keyNumber = (pub: string) =>
  Buffer.from(readFileSync(join(card, pub), 'utf8').split('\n')[1] ?? '', 'base64')
    .subarray(2, 10)
    .toString('hex');
const write = (name: string, content: string) => writeFileSync(join(card, name), content);
const file = (name: string) => join(card, name);
const args = (cmdline = 'cmdline') => [card, file('listing'), file(cmdline)];

/** A checksum list of `names` (in `folder`) signed with `secret` into `list`, as a publisher makes it. */
function signList(secret: string, names: string[], list: string, folder = '.') {
  write('message', execFileSync('sha256sum', ['--tag', ...names], { cwd: join(card, folder) }).toString());
  signify('-S', '-e', '-s', secret, '-m', 'message', '-x', join(folder, list));
}

let acme: string;
let other: string;

beforeAll(() => {
  // scripts/build-shared-es5.mjs writes the signature check beside the plan bundle.
  signaturesBundle = join(plan.work, 'astcard-signatures.js');
  card = join(plan.work, 'card');
  mkdirSync(join(card, 'keys'), { recursive: true });
  mkdirSync(join(card, 'os'), { recursive: true });
  mkdirSync(join(card, 'publisher'), { recursive: true });
  signify('-G', '-n', '-c', 'ACME publisher', '-p', 'keys/acme.pub', '-s', 'publisher/acme.sec');
  signify('-G', '-n', '-c', 'Someone else', '-p', 'publisher/other.pub', '-s', 'publisher/other.sec');
  acme = keyNumber('keys/acme.pub');
  other = keyNumber('publisher/other.pub');
  write('keys/broken.pub', 'untrusted comment: not a key\nnot base64\n');
  write('keys/huge.pub', 'x'.repeat(5000));
  write('keys/README.txt', 'keys this card trusts\n');
  for (const version of ['1.5.9', '1.5.10', '1.5.11', '1.6.0']) {
    const image = `AstLinux-${version}.img`;
    write(image, `image ${version}\n`);
    write(`${image}.sha1`, `${sha('sha1sum', image)}  ${image}\n`);
  }
  signList('publisher/acme.sec', ['AstLinux-1.5.9.img'], 'AstLinux-1.5.9.img.sha256.sig');
  // Changed after signing: the digest in the list is no longer the one signed.
  signList('publisher/acme.sec', ['AstLinux-1.5.11.img'], 'AstLinux-1.5.11.img.sha256.sig');
  const signedList = readFileSync(file('AstLinux-1.5.11.img.sha256.sig'), 'utf8');
  write(
    'AstLinux-1.5.11.img.sha256.sig',
    signedList.replace(/= ([0-9a-f])/, (_m, c) => `= ${c === '0' ? '1' : '0'}`),
  );
  signList('publisher/other.sec', ['AstLinux-1.6.0.img'], 'AstLinux-1.6.0.img.sha256.sig');
  // A real release in os/, vouched for by the folder's one list.
  const release = 'astlinux-1.5.8';
  write('os/astflag', '');
  write(`os/${release}.run`, 'squashfs 1.5.8\n');
  write(
    `os/${release}.run.sha1`,
    execFileSync('sha1sum', [`${release}.run`], { cwd: join(card, 'os') }).toString(),
  );
  write(`os/${release}.initrd.img`, 'initrd');
  write(
    `os/${release}.run.conf`,
    `KCMD="root=/dev/ram0 rw init=/linuxrc astlinux=genx86_64 astimg=${release}.run"\nKERN="/mnt/root/boot/bzImage"\nFSTYPE="squashfs"\nINITRD="/mnt/base/os/${release}.initrd.img"\n`,
  );
  signList('publisher/acme.sec', [`${release}.run`], 'SHA256.sig', 'os');
  // Exactly what the init runs to list the card and its keys.
  write('listing', execFileSync('sh', ['-c', "stat -c '%s %n' -- * os/*"], { cwd: card, encoding: 'utf8' }));
  write(
    'keys-listing',
    execFileSync('sh', ['-c', "stat -c '%s %n' keys/*"], { cwd: card, encoding: 'utf8' }),
  );
  write('cmdline', 'console=ttyS0 astlinux.card=9c2e-11aa\n');
  write('cmdline-required', 'console=ttyS0 astlinux.card=9c2e-11aa astlinux.signed=required\n');
  write('cmdline-off', 'console=ttyS0 astlinux.card=9c2e-11aa astlinux.signed=off\n');
  write('no-keys', '');
});

const BAD = (key: string) =>
  `the signature of key ${key} does not match: the list was changed after signing, or the signature is damaged`;

/** The statuses the signatures CLI writes for the card, into `name`, and the run. */
function statuses(name: string, keys = 'keys-listing', cmdline = 'cmdline'): PlanRun {
  const run = signatures('signatures', card, file('listing'), file(keys), file(cmdline));
  write(name, `${run.lines.join('\n')}\n`);
  return run;
}

describe('signatures CLI', () => {
  it('judges every candidate against the signed lists with the trusted keys, and notes unusable key files', () => {
    const run = statuses('statuses');
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      'say keys/huge.pub: not a usable public key (far too large to be a public key), ignored',
      'say keys/broken.pub: not a usable public key (the second line is not valid base64), ignored',
      'keys 1',
      'policy preferred',
      // In listing order (the shell's glob order): what each candidate's signature is, then its status.
      'say AstLinux-1.5.10.img: not signed by a trusted key',
      `say AstLinux-1.5.11.img: AstLinux-1.5.11.img.sha256.sig: ${BAD(acme)}`,
      `bad-signature AstLinux-1.5.11.img AstLinux-1.5.11.img.sha256.sig AstLinux-1.5.11.img.sha256.sig: ${BAD(acme)}`,
      'say AstLinux-1.5.9.img: signed by ACME publisher public key (AstLinux-1.5.9.img.sha256.sig)',
      `signed AstLinux-1.5.9.img ${sha('sha256sum', 'AstLinux-1.5.9.img')} ${acme} AstLinux-1.5.9.img.sha256.sig ACME publisher public key`,
      `say AstLinux-1.6.0.img: AstLinux-1.6.0.img.sha256.sig: signed with key ${other}, and it is not one of the trusted keys`,
      `unknown-key AstLinux-1.6.0.img AstLinux-1.6.0.img.sha256.sig AstLinux-1.6.0.img.sha256.sig: signed with key ${other}, and it is not one of the trusted keys`,
      'say os/astlinux-1.5.8.run: signed by ACME publisher public key (os/SHA256.sig)',
      `signed os/astlinux-1.5.8.run ${sha('sha256sum', 'os/astlinux-1.5.8.run')} ${acme} os/SHA256.sig ACME publisher public key`,
    ]);
  });

  it('says the policy astlinux.signed sets, and that a card without usable keys has none', () => {
    expect(statuses('statuses-required', 'keys-listing', 'cmdline-required').lines).toContain(
      'policy required',
    );
    const noKeys = statuses('statuses-no-keys', 'no-keys', 'cmdline-required');
    expect(noKeys.lines.slice(0, 2)).toEqual(['keys 0', 'policy required']);
    expect(noKeys.lines).toContain(
      `unknown-key AstLinux-1.5.9.img AstLinux-1.5.9.img.sha256.sig AstLinux-1.5.9.img.sha256.sig: signed with key ${acme}, and there are no trusted keys`,
    );
    expect(statuses('statuses-none', 'no-keys', 'cmdline').lines[1]).toBe('policy off');
  });

  it('usage errors exit 2; an unreadable argument file too', () => {
    for (const argv of [
      [],
      ['signatures', card],
      ['plan', card, 'a', 'b', 'c'],
      ['signatures', card, 'x', 'y', 'z'],
    ]) {
      const run = signatures(...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.lines[0]).toMatch(/^usage error: /);
    }
  });
});

describe('statuses file', () => {
  it('reads back what was written: every status but plain unsigned, which is what a missing line means', () => {
    const byName: Record<string, SignatureStatus> = {
      'AstLinux-1.0.img': {
        status: 'signed',
        digest: 'a'.repeat(64),
        keyNumber: '0123456789abcdef',
        signer: ' Ünïcode  signer ',
        list: 'SHA256.sig',
      },
      'AstLinux-2.0.img': {
        status: 'bad-signature',
        reason: 'SHA256.sig: it does not match',
        list: 'SHA256.sig',
      },
      'os/astlinux-3.0.run': {
        status: 'unknown-key',
        reason: 'x: signed with key 00',
        list: 'os/SHA256.sig',
      },
      'AstLinux-4.0.img': { status: 'unsigned' },
    };
    const text = formatStatuses({
      notes: ['a note'],
      keys: 2,
      policy: 'preferred',
      names: Object.keys(byName),
      byName,
    });
    const { 'AstLinux-4.0.img': _unsigned, ...written } = byName;
    expect(parseStatuses(text.join('\n'))).toEqual({ keys: 2, byName: written, problems: [] });
    expect(parseStatuses(text.join('\r\n'))).toEqual({ keys: 2, byName: written, problems: [] });
  });

  it('round trips any names, signers and reasons a card can produce', () => {
    const name = fc.stringMatching(/^(os\/)?[A-Za-z0-9._+-]{1,40}$/);
    const text = fc.string({ maxLength: 80 }).filter((value) => !/[\r\n]/.test(value));
    const status: fc.Arbitrary<SignatureStatus> = fc.oneof(
      fc.record({
        status: fc.constant('signed' as const),
        digest: fc.stringMatching(/^[0-9a-f]{64}$/),
        keyNumber: fc.stringMatching(/^[0-9a-f]{16}$/),
        signer: text,
        list: name,
      }),
      fc.record({
        status: fc.constantFrom('bad-signature' as const, 'unknown-key' as const),
        reason: text,
        list: name,
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(name, status), fc.nat(99), (byName, keys) => {
        const lines = formatStatuses({
          notes: [],
          keys,
          policy: 'required',
          names: Object.keys(byName),
          byName,
        });
        expect(parseStatuses(lines.join('\n'))).toEqual({ keys, byName, problems: [] });
      }),
    );
  });

  it('keeps a name that is also a property of every object ("__proto__", "constructor") as an entry', () => {
    const byName: { [name: string]: SignatureStatus } = {};
    for (const name of ['__proto__', 'constructor'])
      Object.defineProperty(byName, name, {
        value: { status: 'bad-signature', reason: 'altered', list: 'astlinux.list' },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    const lines = formatStatuses({
      notes: [],
      keys: 1,
      policy: 'required',
      names: Object.keys(byName),
      byName,
    });
    expect(parseStatuses(lines.join('\n'))).toEqual({ keys: 1, byName, problems: [] });
    // And a name with no entry is unsigned, not Object.prototype's "constructor".
    const none = formatStatuses({
      notes: [],
      keys: 1,
      policy: 'required',
      names: ['constructor'],
      byName: {},
    });
    expect(parseStatuses(none.join('\n')).byName).toEqual({});
  });

  it('reports lines it cannot read, and leaves their images unsigned', () => {
    expect(parseStatuses('keys 1\nsigned AstLinux-1.0.img nothex\nunknown-key\nfuture words\n')).toEqual({
      keys: 1,
      byName: {},
      problems: [
        'signature statuses line 2 is malformed, ignored',
        'signature statuses line 3 is malformed, ignored',
      ],
    });
  });
});

describe('plan CLI with a statuses file', () => {
  const checkLine = (name: string, algo: 'sha1' | 'sha256') =>
    `check ${name} ${algo} ${sha(`${algo}sum`, name)}`;

  it('preferred (keys, no option): signed images first, by their signed SHA-256; a bad list rejects its image', () => {
    const run = both('plan', ...args(), file('statuses'));
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      checkLine('AstLinux-1.5.9.img', 'sha256'),
      checkLine('os/astlinux-1.5.8.run', 'sha256'),
      checkLine('AstLinux-1.6.0.img', 'sha1'),
      `skip AstLinux-1.5.11.img bad-signature AstLinux-1.5.11.img: AstLinux-1.5.11.img.sha256.sig: ${BAD(acme)}, skipping`,
      checkLine('AstLinux-1.5.10.img', 'sha1'),
    ]);
  });

  it('required: only what a trusted key signed, the others skipped with why', () => {
    const run = both('plan', ...args('cmdline-required'), file('statuses-required'));
    expect(run.lines).toEqual([
      checkLine('AstLinux-1.5.9.img', 'sha256'),
      checkLine('os/astlinux-1.5.8.run', 'sha256'),
      `skip AstLinux-1.6.0.img unknown-key AstLinux-1.6.0.img: AstLinux-1.6.0.img.sha256.sig: signed with key ${other}, and it is not one of the trusted keys (astlinux.signed=required), skipping`,
      `skip AstLinux-1.5.11.img bad-signature AstLinux-1.5.11.img: AstLinux-1.5.11.img.sha256.sig: ${BAD(acme)}, skipping`,
      'skip AstLinux-1.5.10.img unsigned AstLinux-1.5.10.img: not signed by a trusted key (astlinux.signed=required), skipping',
    ]);
  });

  it('gives the lines the shared plan gives when fed judgeSignatures directly, as the app feeds it', () => {
    for (const [cmdline, policy, statusesFile] of [
      ['cmdline', 'preferred', 'statuses'],
      ['cmdline-required', 'required', 'statuses-required'],
    ] as const) {
      const listing = readFileSync(file('listing'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => ({ name: line.slice(line.indexOf(' ') + 1), size: Number(line.split(' ')[0]) }));
      const names = listing
        .map((entry) => entry.name)
        .filter((name) => /^(os\/)?astlinux-[^/]*\.(img|run)$/i.test(name));
      const sidecars: Record<string, string> = {};
      const runConfs: Record<string, string> = {};
      for (const { name } of listing) {
        if (/\.sha1$/.test(name)) sidecars[name] = readFileSync(file(name), 'utf8');
        if (/\.run\.conf$/.test(name)) runConfs[name] = readFileSync(file(name), 'utf8');
      }
      const lists = listing
        .filter((entry) => /(^|\/)SHA256\.sig$|\.sha256\.sig$/.test(entry.name))
        .map((entry) => ({ name: entry.name, text: readFileSync(file(entry.name), 'utf8') }));
      const keys = ['keys/acme.pub', 'keys/broken.pub'].map((name) => ({
        name,
        text: readFileSync(file(name), 'utf8'),
      }));
      const judged = judgeSignatures({ keys, lists, names });
      const shared = planBoot({
        files: listing,
        sidecars,
        runConfs,
        signatures: { policy, byName: judged.byName },
      });
      const expected = shared.candidates.map((candidate) =>
        candidate.expected
          ? `check ${candidate.name} ${candidate.expected.algo} ${candidate.expected.digest}`
          : `skip ${candidate.name} ${candidate.rejection?.verdict} ${judgeCandidate(candidate, null).line}`,
      );
      expect(both('plan', ...args(cmdline), file(statusesFile)).lines, policy).toEqual(expected);
    }
  });

  it('verdict and accept judge against the signed digest, and say who signed', () => {
    const digest = sha('sha256sum', 'AstLinux-1.5.9.img');
    expect(both('verdict', ...args(), 'AstLinux-1.5.9.img', digest, file('statuses'))).toEqual({
      code: 0,
      lines: ['ok AstLinux-1.5.9.img: sha256 checksum ok, signed by ACME publisher public key'],
    });
    // The .sha1 beside it does not count once the image is signed: a sha1 digest is no digest of it.
    expect(
      both('verdict', ...args(), 'AstLinux-1.5.9.img', sha('sha1sum', 'AstLinux-1.5.9.img'), file('statuses'))
        .code,
    ).toBe(1);
    const accepted = both(
      'accept',
      ...args('cmdline-required'),
      'AstLinux-1.5.9.img',
      `sha256:${digest}`,
      '-',
      'card:/kd.img',
      file('statuses-required'),
    );
    expect(accepted.code).toBe(0);
    expect(accepted.lines[0]).toBe(
      'ok AstLinux-1.5.9.img: sha256 checksum ok, signed by ACME publisher public key',
    );
    expect(accepted.lines[1]).toContain(
      `astlinux.image=AstLinux-1.5.9.img astlinux.card=9C2E-11AA astlinux.digest=sha256:${digest} astlinux.keydisk=card:/kd.img`,
    );
    const unsigned = `sha1:${sha('sha1sum', 'AstLinux-1.5.10.img')}`;
    expect(
      both(
        'accept',
        ...args('cmdline-required'),
        'AstLinux-1.5.10.img',
        unsigned,
        '-',
        '-',
        file('statuses-required'),
      ),
    ).toEqual({
      code: 1,
      lines: [
        'bad unsigned AstLinux-1.5.10.img: not signed by a trusted key (astlinux.signed=required), skipping',
      ],
    });
    // The same image boots by its checksum file on the same card under the default policy.
    expect(both('accept', ...args(), 'AstLinux-1.5.10.img', unsigned, '-', '-', file('statuses')).code).toBe(
      0,
    );
  });

  it('a signer of a thousand characters (a long key comment) is read back under mujs too', () => {
    // mujs's regular expressions fail on a run of more than about 1022 characters: the file is cut by hand.
    const signer = `ACME ${'x'.repeat(1000)}`;
    const text = readFileSync(file('statuses'), 'utf8').replace(
      /^(signed AstLinux-1\.5\.9\.img .*) ACME publisher public key$/m,
      `$1 ${signer}`,
    );
    write('statuses-long', text);
    const digest = sha('sha256sum', 'AstLinux-1.5.9.img');
    expect(both('verdict', ...args(), 'AstLinux-1.5.9.img', digest, file('statuses-long'))).toEqual({
      code: 0,
      lines: [`ok AstLinux-1.5.9.img: sha256 checksum ok, signed by ${signer}`],
    });
  });

  it('without a statuses file (or "-") the plan is what it always was; astlinux.signed=off ignores the file', () => {
    const before = both('plan', ...args());
    expect(before.lines).toEqual([
      checkLine('AstLinux-1.6.0.img', 'sha1'),
      checkLine('AstLinux-1.5.11.img', 'sha1'),
      checkLine('AstLinux-1.5.10.img', 'sha1'),
      checkLine('AstLinux-1.5.9.img', 'sha1'),
      checkLine('os/astlinux-1.5.8.run', 'sha1'),
    ]);
    expect(both('plan', ...args(), '-')).toEqual(before);
    expect(both('plan', ...args(), '')).toEqual(before);
    expect(both('plan', ...args('cmdline-off'), file('statuses'))).toEqual(before);
    // Keys that cannot be used are no keys: the default policy stays off.
    expect(both('plan', ...args(), file('statuses-none'))).toEqual(before);
    const digest = `sha1:${sha('sha1sum', 'AstLinux-1.5.10.img')}`;
    expect(both('accept', ...args(), 'AstLinux-1.5.10.img', digest, '-', '-', '-')).toEqual(
      both('accept', ...args(), 'AstLinux-1.5.10.img', digest, '-', '-'),
    );
  });

  it('required without keys boots nothing, as the app predicts; a broken statuses line is said', () => {
    const run = both('plan', ...args('cmdline-required'));
    expect(run.lines.every((line) => line.startsWith('skip '))).toBe(true);
    expect(run.lines).toContain(
      'skip AstLinux-1.5.10.img unsigned AstLinux-1.5.10.img: not signed by a trusted key (astlinux.signed=required), skipping',
    );
    write('statuses-broken', 'keys 1\nsigned AstLinux-1.5.9.img short\n');
    expect(both('plan', ...args(), file('statuses-broken')).lines[0]).toBe(
      'say signature statuses line 2 is malformed, ignored',
    );
  });

  it('options says astlinux.signed; arity and unreadable statuses files are usage errors', () => {
    expect(both('options', file('cmdline-required')).lines).toContain('signed required');
    expect(both('options', file('cmdline')).lines.some((line) => line.startsWith('signed'))).toBe(false);
    for (const argv of [
      ['plan', ...args(), file('statuses'), 'extra'],
      ['verdict', ...args(), 'AstLinux-1.5.9.img', '-', file('statuses'), 'extra'],
      ['plan', ...args(), file('missing')],
    ]) {
      const run = both(...argv);
      expect(run.code).toBe(2);
      expect(run.lines[0]).toMatch(/^usage error: /);
    }
    expect(runUnderMujs(plan.bundle, ['plan', card]).lines).toContain(
      'usage: plan <cardDir> <listingFile> <cmdlineFile> [<signaturesFile|->]',
    );
  });
});

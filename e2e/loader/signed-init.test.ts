// The loader's real init with signed images, side effects mocked (init-harness.ts): the card's keys/ and
// signed lists made by Debian's signify-openbsd, the signature check and the plan run as the loader runs
// them (busybox sh, both ES5 bundles under mujs). Every case also asks the app what it predicts for the
// same files on a real FAT volume, and demands the loader's lines and choice be that prediction.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { FileBlockDevice } from '../../electron/core/block/file-block-device.js';
import { readCardSignatures } from '../../electron/core/card/card-signatures.js';
import { openCardVolume } from '../../electron/core/card/card-volume.js';
import { decideBoot, planBoot } from '../../shared/boot-plan.js';
import { sidecarAlgorithm } from '../../shared/checksums.js';
import { fixtureCache, projectRoot } from '../fixtures/astlinux-images.js';
import { BUSYBOX, jumped, kexecLoads, makeFakeRoot, runInit, type Story, VOLUME_ID } from './init-harness.js';

const base = join(fixtureCache, 'signed-init');
const bundles = join(base, 'bundles');
const PLAN_BUNDLE = join(bundles, 'astcard-plan.js');
const SIGNATURES_BUNDLE = join(bundles, 'astcard-signatures.js');
const publisher = join(base, 'publisher');
const CARD = 'run/astcard/card';
const CMDLINE = `console=ttyS0,115200 astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`;

type Signer = 'acme' | 'other';

interface SignedCard {
  /** Loader options after the usual ones (`astlinux.signed=required`). */
  options?: string;
  images: string[];
  /** Per-image signed lists: by whom, and whether the list is changed after signing. */
  signed?: Record<string, { by: Signer; altered?: boolean }>;
  /** One SHA256.sig for these images, signed by acme. */
  folderList?: string[];
  /** Key files in keys/ (default: acme's public key as keys/acme.pub; {} for none). */
  keys?: Record<string, string>;
  /** Leave the signatures bundle out of the initramfs. */
  noSignatureCheck?: boolean;
}

const acmePub = () => readFileSync(join(publisher, 'acme.pub'), 'utf8');
const keyNumber = (who: Signer) =>
  Buffer.from(readFileSync(join(publisher, `${who}.pub`), 'utf8').split('\n')[1] ?? '', 'base64')
    .subarray(2, 10)
    .toString('hex');

function signify(...args: string[]) {
  execFileSync('signify-openbsd', args, { cwd: publisher, stdio: 'pipe' });
}

/** A checksum list of `images` on the card signed by `who` into `list`, as a publisher makes one. */
function signList(cardDir: string, images: string[], who: Signer, list: string, altered = false) {
  const message = join(publisher, 'message');
  writeFileSync(message, execFileSync('sha256sum', ['--tag', ...images], { cwd: cardDir }));
  signify('-S', '-e', '-s', `${who}.sec`, '-m', message, '-x', join(cardDir, list));
  if (altered) {
    const text = readFileSync(join(cardDir, list), 'utf8');
    writeFileSync(
      join(cardDir, list),
      text.replace(/= ([0-9a-f])/, (_m, c) => `= ${c === '0' ? '1' : '0'}`),
    );
  }
}

/** A fake root (init-harness.ts) whose card carries keys and signed lists, and a syslinux.cfg the app reads. */
function makeCard(name: string, spec: SignedCard): string {
  const cmdline = `${CMDLINE}${spec.options ? ` ${spec.options}` : ''}`;
  const root = makeFakeRoot(join(base, name), {
    cmdline,
    planBundle: PLAN_BUNDLE,
    images: Object.fromEntries(spec.images.map((image) => [image, 'good' as const])),
  });
  if (!spec.noSignatureCheck)
    copyFileSync(SIGNATURES_BUNDLE, join(root, 'usr/share/astcard/astcard-signatures.js'));
  const cardDir = join(root, CARD);
  // The app reads the policy from the booting label's APPEND, which is the loader's command line.
  writeFileSync(
    join(cardDir, 'syslinux.cfg'),
    `DEFAULT loader\nLABEL loader\n  KERNEL bzImage\n  INITRD loader.img\n  APPEND ${cmdline}\n`,
  );
  const keys = spec.keys ?? { 'acme.pub': acmePub() };
  if (Object.keys(keys).length > 0) mkdirSync(join(cardDir, 'keys'));
  for (const [file, text] of Object.entries(keys)) writeFileSync(join(cardDir, 'keys', file), text);
  for (const [image, { by, altered }] of Object.entries(spec.signed ?? {}))
    signList(cardDir, [image], by, `${image}.sha256.sig`, altered);
  if (spec.folderList) signList(cardDir, spec.folderList, 'acme', 'SHA256.sig');
  return root;
}

interface Prediction {
  /** decideBoot's lines: the plan's notes, one line per candidate tried, then what boots. */
  lines: string[];
  boot: string | null;
}

/**
 * The app's prediction for the same card: its files copied onto a real FAT volume, read by the core. Not
 * inspectCard itself: it also judges each image's content, which these stand-in images (text files; the
 * loader's mount is mocked) would fail; so the prediction comes from the core functions inspect uses for the
 * plan (readCardSignatures, planBoot, decideBoot). signed-boot.test.ts compares real inspect with a real boot.
 */
async function appPrediction(root: string): Promise<Prediction> {
  const cardDir = join(root, CARD);
  const image = join(root, 'card.fat');
  rmSync(image, { force: true });
  execFileSync('truncate', ['-s', '8M', image]);
  execFileSync('mkfs.vfat', ['-F', '12', '-i', VOLUME_ID.replace('-', ''), image], { stdio: 'pipe' });
  execFileSync('sh', ['-c', 'mcopy -s -i "$0" "$1"/* ::/', image, cardDir], { stdio: 'pipe' });
  const disk = await FileBlockDevice.open(image, { readOnly: true });
  try {
    const { volume } = await openCardVolume(disk, { readOnly: true });
    try {
      const root = (await volume.readdir('/')).filter((entry) => entry.isFile);
      const sidecars: Record<string, string> = {};
      for (const entry of root) {
        if (sidecarAlgorithm(entry.name) !== null)
          sidecars[entry.name] = new TextDecoder().decode(await volume.readFile(`/${entry.name}`));
      }
      const files = root.map((entry) => ({ name: entry.name, size: entry.size }));
      const names = files.map((file) => file.name).filter((file) => /^astlinux-.*\.img$/i.test(file));
      const { policy, judgement } = await readCardSignatures(volume, names);
      const plan = planBoot({
        files,
        sidecars,
        pin: null,
        signatures: policy === 'off' ? null : { policy, byName: judgement.byName },
      });
      const digests: Record<string, string> = {};
      for (const candidate of plan.candidates) {
        if (!candidate.expected) continue;
        const bytes = await volume.readFile(`/${candidate.name}`);
        digests[candidate.name] = createHash(candidate.expected.algo).update(bytes).digest('hex');
      }
      const decision = decideBoot(plan, digests);
      return { lines: [...decision.lines], boot: decision.boot };
    } finally {
      await volume.close();
    }
  } finally {
    await disk.close();
  }
}

/** The loader's lines with its `[code]` tags removed: the plan's own words. */
const plainSaid = (story: Story) => story.said.map((line) => line.replace(/ \[[a-z0-9-]+\]$/, ''));
const booted = (story: Story) =>
  kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1] ?? '?');

/**
 * The loader did what the app predicts: every line of the prediction but the last ("booting X") said in
 * that order, and the image it loaded (and jumped to) is the one predicted — or nothing when none is.
 */
function expectPredicted(story: Story, prediction: Prediction) {
  const said = plainSaid(story);
  let from = 0;
  for (const line of prediction.lines.slice(0, -1)) {
    const at = said.indexOf(line, from);
    expect(at, `the loader said "${line}" after line ${from}:\n${said.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = at + 1;
  }
  if (prediction.boot === null) {
    expect(kexecLoads(story)).toEqual([]);
    expect(said.some((line) => line.startsWith('FAILED: nothing bootable'))).toBe(true);
  } else {
    expect(booted(story)).toEqual([prediction.boot]);
    expect(jumped(story)).toBe(true);
  }
}

async function bootCard(name: string, spec: SignedCard) {
  const root = makeCard(name, spec);
  const story = await runInit(root);
  const prediction = await appPrediction(root);
  expectPredicted(story, prediction);
  return { root, story, prediction };
}

beforeAll(() => {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: run npm run build:loader first`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(publisher, { recursive: true });
  // Both bundles from the current sources, as loader/build.mjs makes them (the signature check beside the plan).
  execFileSync(process.execPath, ['scripts/build-shared-es5.mjs', '--out', PLAN_BUNDLE], {
    cwd: projectRoot,
    stdio: 'pipe',
  });
  signify('-G', '-n', '-c', 'ACME publisher', '-p', 'acme.pub', '-s', 'acme.sec');
  signify('-G', '-n', '-c', 'Someone else', '-p', 'other.pub', '-s', 'other.sec');
});

describe('loader init with signed images (side effects mocked), against the app prediction', () => {
  test('the plan bundle mujs compiles at every start carries no signature code; the check no boot plan', () => {
    const planText = readFileSync(PLAN_BUNDLE, 'utf8');
    expect(planText).not.toContain('"shared/ed25519"');
    expect(planText).not.toContain('"shared/signify"');
    expect(planText).toContain('"loader/plan/signature-statuses"');
    const signaturesText = readFileSync(SIGNATURES_BUNDLE, 'utf8');
    expect(signaturesText).toContain('"shared/ed25519"');
    expect(signaturesText).not.toContain('"shared/boot-plan"');
    expect(signaturesText).not.toContain('"loader/plan/plan-cli"');
  });

  test('a card with keys/ and a signed newest image boots it, checked against the signed SHA-256', async () => {
    const { story, root } = await bootCard('signed-newest', {
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.10.img': { by: 'acme' } },
    });
    expect(story.said).toContain('signatures: policy preferred, 1 trusted key(s) (checked in 0.00 s)');
    expect(story.said).toContain('verify AstLinux-1.5.10.img (sha256)');
    expect(story.said).toContain(
      'AstLinux-1.5.10.img: sha256 checksum ok, signed by ACME publisher public key',
    );
    const sha256 = createHash('sha256')
      .update(readFileSync(join(root, CARD, 'AstLinux-1.5.10.img')))
      .digest('hex');
    expect(kexecLoads(story)[0]).toContain(`astlinux.digest=sha256:${sha256}`);
  });

  test('astlinux.signed=required with an unsigned newest image boots the older signed one, and says why', async () => {
    const { story } = await bootCard('required-unsigned-newest', {
      options: 'astlinux.signed=required',
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.9.img': { by: 'acme' } },
    });
    expect(story.said).toContain('options: card=7E57-C0DE onfail=poweroff wait=10s signed=required');
    // The plan tries signed images first, so it boots 1.5.9 before its own line on 1.5.10 comes up (the app's
    // lines stop there too): the signature check says why beforehand.
    const said = story.said;
    const why = said.indexOf('AstLinux-1.5.10.img: not signed by a trusted key');
    expect(why).toBeGreaterThan(
      said.indexOf('signatures: policy required, 1 trusted key(s) (checked in 0.00 s)'),
    );
    expect(why).toBeLessThan(said.indexOf('verify AstLinux-1.5.9.img (sha256)'));
    expect(said).toContain(
      'AstLinux-1.5.9.img: signed by ACME publisher public key (AstLinux-1.5.9.img.sha256.sig)',
    );
    expect(booted(story)).toEqual(['AstLinux-1.5.9.img']);
  });

  test('a signed list changed after signing rejects the image it names; the older one boots', async () => {
    const { story } = await bootCard('bad-signature', {
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.10.img': { by: 'acme', altered: true } },
    });
    expect(story.said).toContain(
      `AstLinux-1.5.10.img: AstLinux-1.5.10.img.sha256.sig: the signature of key ${keyNumber('acme')} does not match: the list was changed after signing, or the signature is damaged, skipping [bad-signature]`,
    );
    // Never even hashed: the plan rejected it before.
    expect(story.said).not.toContain('verify AstLinux-1.5.10.img (sha1)');
    expect(booted(story)).toEqual(['AstLinux-1.5.9.img']);
  });

  test('under required, an image signed by a key the card does not trust is skipped', async () => {
    const { story } = await bootCard('unknown-key', {
      options: 'astlinux.signed=required',
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.9.img': { by: 'acme' }, 'AstLinux-1.5.10.img': { by: 'other' } },
    });
    expect(story.said).toContain(
      `AstLinux-1.5.10.img: AstLinux-1.5.10.img.sha256.sig: signed with key ${keyNumber('other')}, and it is not one of the trusted keys`,
    );
    expect(story.said).not.toContain('verify AstLinux-1.5.10.img (sha1)');
    expect(booted(story)).toEqual(['AstLinux-1.5.9.img']);
  });

  test('a folder list signs several images; a key file that cannot be used is said, the others still count', async () => {
    const { story } = await bootCard('folder-list', {
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img', 'AstLinux-1.6.0.img'],
      folderList: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      keys: { 'acme.pub': acmePub(), 'broken.pub': 'untrusted comment: half a key\n', 'notes.txt': 'x' },
    });
    expect(story.said).toContain(
      'keys/broken.pub: not a usable public key (the second line holds 0 bytes, 42 were expected), ignored',
    );
    // Preferred: the signed 1.5.10 boots before the newer unsigned 1.6.0.
    expect(booted(story)).toEqual(['AstLinux-1.5.10.img']);
    expect(story.said).not.toContain('verify AstLinux-1.6.0.img (sha1)');
  });

  test('required on a card that trusts no key boots nothing, and says why, as the app predicts', async () => {
    const { story } = await bootCard('required-no-keys', {
      options: 'astlinux.signed=required',
      images: ['AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.10.img': { by: 'acme' } },
      keys: {},
    });
    expect(story.said).toContain(
      `AstLinux-1.5.10.img: AstLinux-1.5.10.img.sha256.sig: signed with key ${keyNumber('acme')}, and there are no trusted keys (astlinux.signed=required), skipping [unknown-key]`,
    );
  });

  test('a card without keys behaves as before: no signature check runs, the lines are the same as without it', async () => {
    const spec: SignedCard = {
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.10.img': { by: 'acme', altered: true } },
      keys: {},
    };
    const { root, story, prediction } = await bootCard('no-keys', spec);
    expect(existsSync(join(root, 'run/astcard/signatures'))).toBe(false);
    expect(story.said.some((line) => /signature/.test(line))).toBe(false);
    // The altered list plays no part: the newest boots by its .sha1, as on any card without keys.
    expect(booted(story)).toEqual(['AstLinux-1.5.10.img']);
    expect(story.said).toContain('AstLinux-1.5.10.img: sha1 checksum ok');
    expect(prediction.lines).toEqual([
      'AstLinux-1.5.10.img: sha1 checksum ok',
      'booting AstLinux-1.5.10.img',
    ]);
    const without = await runInit(makeCard('no-keys-no-check', { ...spec, noSignatureCheck: true }));
    expect(without.said).toEqual(story.said);
    // The image drivers load in the background while the card is found: their place among the actions varies.
    expect([...without.actions].sort()).toEqual([...story.actions].sort());
  });

  test('keys but astlinux.signed=off: the check is not run and signatures play no part', async () => {
    const { root, story } = await bootCard('off', {
      options: 'astlinux.signed=off',
      images: ['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.9.img': { by: 'acme' }, 'AstLinux-1.5.10.img': { by: 'acme', altered: true } },
    });
    expect(existsSync(join(root, 'run/astcard/signatures'))).toBe(false);
    expect(booted(story)).toEqual(['AstLinux-1.5.10.img']);
  });

  test('a signature check that cannot run leaves nothing signed: required then boots nothing', async () => {
    const root = makeCard('check-missing', {
      options: 'astlinux.signed=required',
      images: ['AstLinux-1.5.10.img'],
      signed: { 'AstLinux-1.5.10.img': { by: 'acme' } },
      noSignatureCheck: true,
    });
    const story = await runInit(root);
    expect(story.said).toContain(
      'this loader cannot check signatures (no /usr/share/astcard/astcard-signatures.js): no image counts as signed',
    );
    expect(kexecLoads(story)).toEqual([]);
    expect(story.said).toContain(
      'AstLinux-1.5.10.img: not signed by a trusted key (astlinux.signed=required), skipping [unsigned]',
    );
  });
});

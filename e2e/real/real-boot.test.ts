// Real AstLinux releases under QEMU, with stand-ins built by the tests (e2e/fixtures/astlinux-real/):
// - a card made by astcard's own code, two releases in os/: our loader boots the newer through the stand-in
//   AstLinux initrd (which finds partition 1 with os/astflag and loop-mounts os/$astimg) into its marker;
//   with the newer .run damaged, the older;
// - a stand-in RUNNIX card made as AstLinux's build makes one: RUNNIX's rules pick 1.5.9 over 1.5.10 and boot
//   it although its checksum fails; with os/ver (and VERIFY_LOCAL="yes"), the release os/ver names;
// - a RUNNIX card after `astcard add` of a newer release and `astcard loader update`: our loader boots the
//   newest verified release through the stand-in AstLinux initrd, and syslinux.cfg still offers RUNNIX.
// Each boot is compared with what the shared code predicts from the card's files, read by astcard's FAT code.
// Needs `npm run build`, `npm run build:loader` and `npm run build:syslinux` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileBlockDevice } from '../../electron/core/block/file-block-device.js';
import { openCardVolume } from '../../electron/core/card/card-volume.js';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { decideBoot, planBoot } from '../../shared/boot-plan.js';
import { predictRunnixBoot } from '../../shared/runnix-rules.js';
import { fixtureCache } from '../fixtures/astlinux-images.js';
import { buildStandInRelease, type StandInRelease } from '../fixtures/astlinux-real/release.js';
import {
  buildRunnixCard,
  type RunnixCard,
  runnixSyslinuxConfig,
} from '../fixtures/astlinux-real/runnix-card.js';
import { loaderAssets } from '../fixtures/make-card.js';
import { boot } from '../loader/qemu.js';
import { handoffOf, loaderLines, markerOf } from '../loader/serial-log.js';
import { planDigests, planInput, readCardContents, runnixInput } from './card-contents.js';

const dir = join(fixtureCache, 'real-boot');
/** As AstLinux's upgrade carries extras into KCMD: a panic ends the VM, quiet kernels keep markers whole. */
const KCMD_EXTRA = ' panic=5 loglevel=4';
const BOOT_TIMEOUT_MS = 240_000;
const sha1 = (file: string) => execFileSync('sha1sum', [file], { encoding: 'utf8' }).slice(0, 40);

let r9: StandInRelease;
let r10: StandInRelease;
let r11: StandInRelease;
const noCard: RunnixCard = { file: '', volumeId: '', fatOffset: 0, partitions: [] };
const cards: {
  loader: string;
  damaged: string;
  runnixAuto: RunnixCard;
  runnixVer: RunnixCard;
  runnixAdded: RunnixCard;
  converted: RunnixCard;
} = {
  loader: join(dir, 'loader.card'),
  damaged: join(dir, 'damaged.card'),
  runnixAuto: noCard,
  runnixVer: noCard,
  runnixAdded: noCard,
  converted: noCard,
};
let volumeId = '';
const timings: Record<string, number> = {};

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  timings[what] = (Date.now() - started) / 1000;
  return result;
}

/** Flips one byte in the middle of a file on the card, through astcard's FAT code: a damaged copy. */
async function damage(cardFile: string, path: string): Promise<void> {
  const disk = await FileBlockDevice.open(cardFile);
  try {
    const { volume } = await openCardVolume(disk);
    const bytes = await volume.readFile(path);
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await volume.writeFile(path, bytes);
    await volume.close();
  } finally {
    await disk.close();
  }
}

/** The CLI as a user runs it. */
function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
  });
  expect(run.status, `astcard ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

async function bootCard(name: string, file: string) {
  const result = await boot([{ file, interface: 'ide' }], { timeoutMs: BOOT_TIMEOUT_MS });
  writeFileSync(join(dir, `${name}.log`), result.log);
  timings[`boot ${name}`] = result.seconds;
  expect(result.timedOut, `${name} timed out; log in ${dir}/${name}.log`).toBe(false);
  const lines = result.log.split('\n').map((line) => line.trim());
  const tagged = (tag: string) =>
    lines.filter((line) => line.startsWith(`${tag} `)).map((line) => line.slice(tag.length + 1));
  return {
    log: result.log,
    loader: loaderLines(result.log).map((line) => line.text),
    linuxrc: tagged('ASTLINUX-LINUXRC'),
    runnix: tagged('RUNNIX-STANDIN'),
    marker: markerOf(result.log),
  };
}

/** What the marker init saw mounted: the release read-only on a loop device, the card at /oldroot/cdrom. */
function expectAstlinuxMounts(mounts: string[]) {
  expect(mounts.some((mount) => /^\/ squashfs \/dev\/loop\d+ ro[,\s]/.test(mount))).toBe(true);
  expect(mounts.some((mount) => /^\/oldroot\/cdrom vfat \/dev\/sda1 ro[,\s]/.test(mount))).toBe(true);
}

/** A small file in a card's os/ folder, read with mtools. */
function osFile(card: RunnixCard, name: string): string {
  return execFileSync('mtype', ['-i', `${card.file}@@${card.fatOffset}`, `::os/${name}`], {
    encoding: 'utf8',
    env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
  }).trim();
}

const RUNNIX_CMDLINE = /append (.*)/.exec(runnixSyslinuxConfig(1))?.[1] ?? '';

beforeAll(async () => {
  loaderAssets();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  r9 = await timed('release 1.5.9 (and the initrd)', () =>
    buildStandInRelease({ version: '1.5.9', kcmdExtra: KCMD_EXTRA }, dir),
  );
  r10 = await timed('release 1.5.10', () =>
    buildStandInRelease({ version: '1.5.10', kcmdExtra: KCMD_EXTRA }, dir),
  );
  r11 = await timed('release 1.5.11', () =>
    buildStandInRelease({ version: '1.5.11', kcmdExtra: KCMD_EXTRA }, dir),
  );
  // As a user makes it: two release archives, and AstLinux's ASTURW and ASTKD partitions made by astcard.
  volumeId = await timed('card for the loader (astcard prepare)', async () => {
    rmSync(cards.loader, { force: true });
    const made = astcard(
      ...['prepare', cards.loader, '--size', '96M', '--image', r9.archive, '--image', r10.archive],
      ...['--writable-partition', '8M', '--keydisk-partition', '4M'],
      ...['--console', 'ttyS0,115200', '--onfail', 'poweroff', '--json'],
    );
    return JSON.parse(made).serial as string;
  });
  copyFileSync(cards.loader, cards.damaged);
  await damage(cards.damaged, 'os/astlinux-1.5.10.run');
  const badSha1 = `${'0'.repeat(40)}  astlinux-1.5.9.run\n`;
  cards.runnixAuto = await timed('RUNNIX card (and runnix.img)', () =>
    buildRunnixCard(join(dir, 'runnix-auto.card'), {
      releases: [r9, r10],
      timeout: 1,
      asturwMiB: 8,
      astkdMiB: 4,
      osFiles: [{ name: 'astlinux-1.5.9.run.sha1', data: badSha1 }],
    }),
  );
  cards.runnixVer = await buildRunnixCard(join(dir, 'runnix-ver.card'), {
    releases: [r9, r10],
    timeout: 1,
    ver: 'astlinux-1.5.10\n',
    xver: 'astlinux-1.5.9\n',
    defaultConf: 'NDEV="eth0"\nVERIFY_LOCAL="yes"\n',
  });
  await timed('astcard add, then revert, on a RUNNIX card', async () => {
    astcard('add', cards.runnixVer.file, r11.archive);
    // The card as the add left it, booted on its own; the revert goes on with the original.
    cards.runnixAdded = { ...cards.runnixVer, file: join(dir, 'runnix-added.card') };
    copyFileSync(cards.runnixVer.file, cards.runnixAdded.file);
    astcard('revert', cards.runnixVer.file);
  });
  cards.converted = await buildRunnixCard(join(dir, 'converted.card'), {
    releases: [r9, r10],
    sizeMiB: 80,
    timeout: 1,
    ver: 'astlinux-1.5.10\n',
    xver: 'astlinux-1.5.9\n',
    asturwMiB: 8,
    astkdMiB: 4,
  });
  await timed('astcard add and loader update on a RUNNIX card', async () => {
    astcard('add', cards.converted.file, r11.archive);
    astcard('loader', 'update', cards.converted.file);
  });
}, 900_000);

afterAll(() => {
  writeFileSync(join(dir, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  for (const file of readdirSync(dir)) if (file.endsWith('.card')) rmSync(join(dir, file), { force: true });
});

describe('the stand-ins are laid out like the real thing', () => {
  test('the release archive: a folder of five files, both checksums as sha1sum -c checks them', () => {
    const members = execFileSync('tar', ['-tzf', r10.archive], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(members.sort()).toEqual([
      'astlinux-1.5.10/',
      'astlinux-1.5.10/astflag',
      'astlinux-1.5.10/astlinux-1.5.10.initrd.img',
      'astlinux-1.5.10/astlinux-1.5.10.run',
      'astlinux-1.5.10/astlinux-1.5.10.run.conf',
      'astlinux-1.5.10/astlinux-1.5.10.run.sha1',
    ]);
    execFileSync('sha1sum', ['-c', '--strict', 'astlinux-1.5.10.tar.gz.sha1'], { cwd: dir, stdio: 'pipe' });
    execFileSync('sha1sum', ['-c', '--strict', 'astlinux-1.5.10.run.sha1'], {
      cwd: r10.folder,
      stdio: 'pipe',
    });
    const squashfs = execFileSync('unsquashfs', ['-l', r10.run], { encoding: 'utf8' });
    expect(squashfs).toContain('squashfs-root/boot/bzImage');
    expect(squashfs).toContain('squashfs-root/sbin/init');
    const initrd = execFileSync('sh', ['-c', 'gzip -dc "$1" | cpio -t --quiet', 'sh', r10.initrd], {
      encoding: 'utf8',
    });
    expect(initrd.split('\n')).toEqual(expect.arrayContaining(['linuxrc', 'init']));
  });

  test('the cards: fsck.fat finds nothing to fix; the ASTURW and ASTKD partitions are clean ext2', () => {
    const volume = join(dir, 'volume.check');
    const extract = (card: string, start: number, sectors: number) =>
      execFileSync('dd', [
        `if=${card}`,
        `of=${volume}`,
        'bs=512',
        `skip=${start}`,
        `count=${sectors}`,
        'status=none',
      ]);
    for (const { file, partitions } of [cards.runnixAuto, cards.runnixVer]) {
      for (const partition of partitions) {
        extract(file, partition.start, partition.sectors);
        if (partition.type === 0x06) execFileSync('fsck.fat', ['-n', volume], { stdio: 'pipe' });
        else {
          execFileSync('e2fsck', ['-fn', volume], { stdio: 'pipe' });
          expect(execFileSync('e2label', [volume], { encoding: 'utf8' }).trim()).toBe(partition.label);
        }
      }
    }
    expect(cards.runnixAuto.partitions.map((p) => [p.number, p.type, p.label])).toEqual([
      [1, 0x06, 'RUNNIX'],
      [2, 0x83, 'ASTURW'],
      [3, 0x83, 'ASTKD'],
    ]);
    // The card astcard prepared: its table read here byte by byte, not with astcard's MBR code.
    const mbr = readFileSync(cards.loader).subarray(0, 512);
    const entries = [0, 1, 2].map((index) => {
      const at = 446 + 16 * index;
      return { type: mbr[at + 4], start: mbr.readUInt32LE(at + 8), sectors: mbr.readUInt32LE(at + 12) };
    });
    expect(entries.map((entry) => entry.type)).toEqual([0x06, 0x83, 0x83]);
    expect(entries.map((entry) => entry.sectors).slice(1)).toEqual([8 * 2048, 4 * 2048]);
    const labels: string[] = [];
    for (const entry of entries) {
      extract(cards.loader, entry.start, entry.sectors);
      if (entry.type === 0x06) execFileSync('fsck.fat', ['-n', volume], { stdio: 'pipe' });
      else {
        execFileSync('e2fsck', ['-fn', volume], { stdio: 'pipe' });
        labels.push(execFileSync('e2label', [volume], { encoding: 'utf8' }).trim());
      }
    }
    expect(labels).toEqual(['ASTURW', 'ASTKD']);
    rmSync(volume, { force: true });
  });
});

// Two boots run at once (qemu.ts); a test's time includes its wait for a slot.
describe.concurrent('real releases boot (QEMU)', { timeout: 2 * BOOT_TIMEOUT_MS + 60_000 }, () => {
  test('our loader boots the newest release through the AstLinux initrd, as the shared plan predicts', async () => {
    const card = await readCardContents(cards.loader);
    const predicted = decideBoot(planBoot(planInput(card)), planDigests(card));
    expect(predicted.boot).toBe('os/astlinux-1.5.10.run');

    const run = await bootCard('loader-newest', cards.loader);
    expect(run.loader).toContain('os/astlinux-1.5.10.run: sha1 checksum ok');
    expect(run.loader).toContain(
      `kexec -e os/astlinux-1.5.10.run (loader ${handoffOf(run.marker?.cmdline ?? '').loader}, card ${volumeId})`,
    );
    // The partitions astcard made are found by their labels, as on a card AstLinux's initial-setup made.
    expect(run.linuxrc).toEqual([
      'card /dev/sda1',
      'asturw /dev/sda2',
      'astkd /dev/sda3',
      'image os/astlinux-1.5.10.run on /dev/loop0',
    ]);
    expect(run.marker?.version).toBe('astlinux-1.5.10');
    const cmdline = run.marker?.cmdline ?? '';
    // AstLinux gets its own KCMD unchanged, then the handoff saying what was verified.
    expect(
      cmdline.startsWith(`root=/dev/ram0 rw init=/linuxrc astlinux=genx86_64 astimg=astlinux-1.5.10.run`),
    ).toBe(true);
    expect(handoffOf(cmdline)).toMatchObject({
      image: 'os/astlinux-1.5.10.run',
      card: volumeId,
      digest: `sha1:${sha1(r10.run)}`,
    });
    expectAstlinuxMounts(run.marker?.mounts ?? []);
  });

  test('with the newest .run damaged on the card, our loader boots the older release', async () => {
    const card = await readCardContents(cards.damaged);
    const predicted = decideBoot(planBoot(planInput(card)), planDigests(card));
    expect(predicted.boot).toBe('os/astlinux-1.5.9.run');

    const run = await bootCard('loader-damaged', cards.damaged);
    expect(run.loader).toContain('os/astlinux-1.5.10.run: sha1 checksum mismatch, skipping [mismatch]');
    expect(run.loader).toContain('os/astlinux-1.5.9.run: sha1 checksum ok');
    expect(run.linuxrc).toContain('image os/astlinux-1.5.9.run on /dev/loop0');
    expect(run.marker?.version).toBe('astlinux-1.5.9');
    expect(handoffOf(run.marker?.cmdline ?? '').digest).toBe(`sha1:${sha1(r9.run)}`);
  });

  test('RUNNIX boots the alphabetically last release, 1.5.9 over 1.5.10, although its checksum fails', async () => {
    const card = await readCardContents(cards.runnixAuto.file);
    const predicted = predictRunnixBoot(runnixInput(card, RUNNIX_CMDLINE));
    expect(predicted).toMatchObject({
      image: 'astlinux-1.5.9.run',
      rule: 'auto',
      isNewest: false,
      newest: 'astlinux-1.5.10.run',
      checksum: 'mismatch',
      verifyLocal: false,
      starts: true,
    });
    // The astcard loader's rules, on the same card: the newest release that verifies.
    expect(decideBoot(planBoot(planInput(card)), planDigests(card)).boot).toBe('os/astlinux-1.5.10.run');

    const run = await bootCard('runnix-auto', cards.runnixAuto.file);
    expect(run.runnix).toEqual(
      expect.arrayContaining(['card /dev/sda1', 'image astlinux-1.5.9.run (auto)', 'checksum not checked']),
    );
    // AstLinux's initrd finds the card, and its partitions by label, as on a real card.
    expect(run.linuxrc).toEqual([
      'card /dev/sda1',
      'asturw /dev/sda2',
      'astkd /dev/sda3',
      'image os/astlinux-1.5.9.run on /dev/loop0',
    ]);
    expect(run.marker?.version).toBe('astlinux-1.5.9');
    expect(run.marker?.cmdline).toBe(
      `root=/dev/ram0 rw init=/linuxrc astlinux=genx86_64 astimg=astlinux-1.5.9.run astkd=auto asturw=auto astlive libata.dma=3 console=ttyS0,115200n8${KCMD_EXTRA}`,
    );
    expectAstlinuxMounts(run.marker?.mounts ?? []);
  });

  test('a RUNNIX card after astcard add: RUNNIX boots the new release os/ver now names, checked first', async () => {
    expect(osFile(cards.runnixAdded, 'ver')).toBe('astlinux-1.5.11');
    expect(osFile(cards.runnixAdded, 'Xver')).toBe('astlinux-1.5.10');
    const card = await readCardContents(cards.runnixAdded.file);
    // The one before the previous (1.5.9) is gone, as AstLinux's own upgrade removes it.
    expect(Object.keys(card.runDigests).sort()).toEqual(['astlinux-1.5.10.run', 'astlinux-1.5.11.run']);
    expect(predictRunnixBoot(runnixInput(card, RUNNIX_CMDLINE))).toMatchObject({
      image: 'astlinux-1.5.11.run',
      rule: 'os-ver',
      isNewest: true,
      checksum: 'ok',
      verifyLocal: true,
      starts: true,
    });

    const run = await bootCard('runnix-added', cards.runnixAdded.file);
    expect(run.runnix).toEqual(
      expect.arrayContaining(['image astlinux-1.5.11.run (os/ver)', 'checksum verified']),
    );
    expect(run.linuxrc).toContain('image os/astlinux-1.5.11.run on /dev/loop0');
    expect(run.marker?.version).toBe('astlinux-1.5.11');
  });

  test('a RUNNIX card after astcard add and astcard revert: RUNNIX boots the release before the add, checked first', async () => {
    // The add made 1.5.11 current (1.5.10 its previous, 1.5.9 removed); the revert switched back to 1.5.10.
    expect(osFile(cards.runnixVer, 'ver')).toBe('astlinux-1.5.10');
    expect(osFile(cards.runnixVer, 'Xver')).toBe('astlinux-1.5.11');
    const card = await readCardContents(cards.runnixVer.file);
    expect(Object.keys(card.runDigests).sort()).toEqual(['astlinux-1.5.10.run', 'astlinux-1.5.11.run']);
    expect(predictRunnixBoot(runnixInput(card, RUNNIX_CMDLINE))).toMatchObject({
      image: 'astlinux-1.5.10.run',
      rule: 'os-ver',
      isNewest: false,
      newest: 'astlinux-1.5.11.run',
      checksum: 'ok',
      verifyLocal: true,
      starts: true,
    });

    const run = await bootCard('runnix-ver', cards.runnixVer.file);
    expect(run.runnix).toEqual(
      expect.arrayContaining(['image astlinux-1.5.10.run (os/ver)', 'checksum verified']),
    );
    expect(run.linuxrc).toContain('image os/astlinux-1.5.10.run on /dev/loop0');
    expect(run.marker?.version).toBe('astlinux-1.5.10');
  });

  test('a RUNNIX card after add and loader update: our loader boots the newest release, RUNNIX stays a label', async () => {
    const card = await readCardContents(cards.converted.file);
    expect(decideBoot(planBoot(planInput(card)), planDigests(card)).boot).toBe('os/astlinux-1.5.11.run');
    const menu = execFileSync(
      'mtype',
      ['-i', `${cards.converted.file}@@${cards.converted.fatOffset}`, '::syslinux.cfg'],
      {
        encoding: 'utf8',
      },
    );
    expect(menu).toMatch(/^DEFAULT loader$/m);
    expect(menu).toMatch(
      /^LABEL runnix\n {2}LINUX runnix\n {2}INITRD runnix\.img\n {2}APPEND .*init=\/runnix/m,
    );

    const run = await bootCard('converted', cards.converted.file);
    expect(run.runnix).toEqual([]);
    expect(run.loader).toContain('os/astlinux-1.5.11.run: sha1 checksum ok');
    expect(run.linuxrc).toEqual([
      'card /dev/sda1',
      'asturw /dev/sda2',
      'astkd /dev/sda3',
      'image os/astlinux-1.5.11.run on /dev/loop0',
    ]);
    expect(run.marker?.version).toBe('astlinux-1.5.11');
    // The add carried the running release's KCMD (its extras too) into 1.5.11's .run.conf.
    expect(
      run.marker?.cmdline?.startsWith(
        `root=/dev/ram0 rw init=/linuxrc astlinux=genx86_64 astimg=astlinux-1.5.11.run astkd=auto asturw=auto astlive`,
      ),
    ).toBe(true);
    expect(handoffOf(run.marker?.cmdline ?? '')).toMatchObject({
      image: 'os/astlinux-1.5.11.run',
      card: cards.converted.volumeId,
      digest: `sha1:${sha1(r11.run)}`,
    });
    expectAstlinuxMounts(run.marker?.mounts ?? []);
  });
});

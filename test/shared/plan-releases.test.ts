// The plan CLI with real AstLinux releases in the card's os/ folder, under mujs and in Node (same lines
// required), on a real directory listed as the loader's init lists it, with sha1sum as the oracle.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseListing } from '../../loader/plan/plan-cli.js';
import { type PlanRun, planBundleForFile, runBoth } from './plan-cli-runs.js';

const plan = planBundleForFile('astcard-plan-releases-');
const both = (...args: string[]): PlanRun => runBoth(plan.bundle, args);

const KCMD = (release: string) =>
  `root=/dev/ram0 rw init=/linuxrc astlinux=genx86_64 astimg=${release}.run astkd=auto asturw=auto astlive libata.dma=3`;

describe('plan CLI with releases in os/', () => {
  let card: string;
  const hex = (path: string) => execFileSync('sha1sum', [path], { cwd: card, encoding: 'utf8' }).slice(0, 40);
  const args = () => [card, join(card, 'listing'), join(card, 'cmdline')];

  beforeAll(() => {
    card = join(plan.work, 'card');
    mkdirSync(join(card, 'os'), { recursive: true });
    const write = (name: string, content: string) => writeFileSync(join(card, name), content);
    write('os/astflag', '');
    for (const version of ['1.5.9', '1.5.10', '1.5.11']) {
      const release = `astlinux-${version}`;
      write(`os/${release}.run`, `squashfs ${version}\n`);
      write(
        `os/${release}.run.sha1`,
        execFileSync('sha1sum', [`${release}.run`], { cwd: join(card, 'os'), encoding: 'utf8' }),
      );
      write(`os/${release}.initrd.img`, 'initrd');
      write(
        `os/${release}.run.conf`,
        `KCMD="${KCMD(release)}"\nKERN="/mnt/root/boot/bzImage"\nFSTYPE="squashfs"\nINITRD="/mnt/base/os/${release}.initrd.img"\n`,
      );
    }
    // 1.5.11's settings would run a command and name no image: skipped before hashing, with the reason.
    write('os/astlinux-1.5.11.run.conf', 'reboot\nKCMD="root=/dev/ram0"\n');
    write('os/astlinux-1.5.11.run', 'changed after its checksum\n');
    write('AstLinux-1.5.10.img', 'image 1.5.10\n');
    write('AstLinux-1.5.10.img.sha1', `${hex('AstLinux-1.5.10.img')}  AstLinux-1.5.10.img\n`);
    // Exactly what the init runs to list the card.
    write(
      'listing',
      execFileSync('sh', ['-c', "stat -c '%s %n' -- * os/*"], { cwd: card, encoding: 'utf8' }),
    );
    write('cmdline', 'console=ttyS0 astlinux.card=9c2e-11aa astlinux.keydisk=label:ASTKD\n');
  });

  it("the listing keeps os/ before a release's files, and only there", () => {
    const { files, problems } = parseListing(
      '5 os/astlinux-1.5.10.run\n7 /run/astcard/card/OS/ver\n9 /x/notos/a\n3 b\n',
    );
    expect(problems).toEqual([]);
    expect(files.map((file) => file.name)).toEqual(['os/astlinux-1.5.10.run', 'OS/ver', 'a', 'b']);
  });

  it('plan: releases and images in one version order, an image before a release of its version', () => {
    const run = both('plan', ...args());
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      "skip os/astlinux-1.5.11.run incomplete-release os/astlinux-1.5.11.run: astlinux-1.5.11.run.conf: KCMD has no astimg=, so AstLinux's initrd would not know its image, skipping",
      `check AstLinux-1.5.10.img sha1 ${hex('AstLinux-1.5.10.img')}`,
      `check os/astlinux-1.5.10.run sha1 ${hex('os/astlinux-1.5.10.run')}`,
      `check os/astlinux-1.5.9.run sha1 ${hex('os/astlinux-1.5.9.run')}`,
    ]);
  });

  it('accept: for a release, the handoff without keydisk, then how to start it', () => {
    const digest = `sha1:${hex('os/astlinux-1.5.10.run')}`;
    const run = both('accept', ...args(), 'os/astlinux-1.5.10.run', digest, '-', '-');
    expect(run.code).toBe(0);
    const version = run.lines[1]?.match(/astlinux\.loader=(\S+)/)?.[1];
    expect(run.lines).toEqual([
      'ok os/astlinux-1.5.10.run: sha1 checksum ok',
      `astlinux.image=os/astlinux-1.5.10.run astlinux.card=9C2E-11AA astlinux.digest=${digest} astlinux.loader=${version}`,
      'release squashfs 0 image boot/bzImage os/astlinux-1.5.10.initrd.img',
      `kcmd ${KCMD('astlinux-1.5.10')}`,
    ]);
    // An image keeps the keydisk and gets no recipe lines.
    const image = both(
      'accept',
      ...args(),
      'AstLinux-1.5.10.img',
      `sha1:${hex('AstLinux-1.5.10.img')}`,
      '-',
      '-',
    );
    expect(image.lines).toHaveLength(2);
    expect(image.lines[1]).toContain('astlinux.keydisk=label:ASTKD');
  });

  it('accept: a damaged release stops at its verdict', () => {
    const run = both('accept', ...args(), 'os/astlinux-1.5.9.run', `sha1:${'0'.repeat(40)}`, '-', '-');
    expect(run).toEqual({
      code: 1,
      lines: ['bad mismatch os/astlinux-1.5.9.run: sha1 checksum mismatch, skipping'],
    });
  });

  it('the init can read the four lines with plain `read -r`', () => {
    const digest = `sha1:${hex('os/astlinux-1.5.9.run')}`;
    const script =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, expanded by sh
      'mujs "$1" accept "$2" "$3" "$4" os/astlinux-1.5.9.run "$5" - - | { read -r v; read -r h; read -r r; read -r k; echo "[${r#release }][${k#kcmd }]"; }';
    const output = execFileSync('sh', ['-c', script, 'sh', plan.bundle, ...args(), digest], {
      encoding: 'utf8',
    });
    expect(output.trim()).toBe(
      `[squashfs 0 image boot/bzImage os/astlinux-1.5.9.initrd.img][${KCMD('astlinux-1.5.9')}]`,
    );
  });
});

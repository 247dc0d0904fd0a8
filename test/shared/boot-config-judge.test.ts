/**
 * judgeBootConfig against what SYSLINUX 6 does with a syslinux.cfg (issue 17, item 2): the configs the
 * app writes boot; an empty file, random bytes, NULs, a missing DEFAULT, a DEFAULT in the wrong case, a
 * PROMPT that never times out boot nothing; size is no limit (SYSLINUX reads it all), but a line longer
 * than SYSLINUX's 4095-byte buffer goes on as a line of its own. e2e/syslinux/config-judge.test.ts boots a
 * sample of these under QEMU.
 */
import { describe, expect, it } from 'vitest';
import { judgeBootConfig } from '../../shared/boot-config-judge.js';
import { renderBiosConfig, renderEfiConfig } from '../../shared/boot-menu.js';
import { bootMenuFromSettings } from '../../shared/syslinux-config.js';
import { pseudoRandomBytes } from '../core/fat/fat-tools.js';

const MENU = bootMenuFromSettings({
  serial: { port: 0, baud: 115200 },
  kernel: 'bzImage-b',
  initrd: 'loader-b.img',
  append: 'console=ttyS0,115200 console=tty0',
  options: { card: '1234-ABCD' },
  fallback: { kernel: 'bzImage', initrd: 'loader.img' },
});

const LOADER =
  'DEFAULT loader\nLABEL loader\n  KERNEL bzImage\n  INITRD loader.img\n  APPEND console=ttyS0\n';

describe('judgeBootConfig', () => {
  it('boots the configs astcard writes, on BIOS and on UEFI', () => {
    const bios = judgeBootConfig(renderBiosConfig(MENU));
    expect(bios).toMatchObject({
      boots: true,
      label: 'loader',
      kernel: 'bzImage-b',
      initrds: ['loader-b.img'],
    });
    expect(bios.options).toContain('astlinux.card=1234-ABCD');
    expect(bios.needs).toEqual(['bzImage-b', 'loader-b.img']);
    const efi = judgeBootConfig(renderEfiConfig(MENU), 'EFI/BOOT');
    expect(efi).toMatchObject({
      boots: true,
      kernel: 'bzImage-b',
      initrds: ['loader-b.img'],
      waitTenths: 20,
    });
  });

  it('boots a RUNNIX card: a menu that times out into its default', () => {
    const runnix = [
      'UI menu.c32',
      'PROMPT 0',
      'TIMEOUT 50',
      'DEFAULT runnix',
      'LABEL runnix',
      '  MENU LABEL RUNNIX',
      '  KERNEL runnix',
      '  APPEND initrd=runnix.img root=/dev/ram0 rw init=/runnix runimg=auto',
      'LABEL shell',
      '  KERNEL runnix',
      '  APPEND initrd=runnix.img root=/dev/ram0 rw init=/runnix doshell',
      '',
    ].join('\n');
    expect(judgeBootConfig(runnix)).toMatchObject({
      boots: true,
      label: 'runnix',
      kernel: 'runnix',
      initrds: ['runnix.img'],
      needs: ['menu.c32', 'runnix', 'runnix.img'],
      waitTenths: 50,
    });
  });

  it('boots nothing from an empty file, random bytes, or NULs', () => {
    for (const text of ['', '\n\n', '\u0000'.repeat(512), `\u0000${LOADER}`]) {
      const judged = judgeBootConfig(text);
      expect(judged.boots, JSON.stringify(text.slice(0, 20))).toBe(false);
      expect(judged.problems[0]?.code).toMatch(/empty|no-default/);
    }
    for (let seed = 1; seed <= 50; seed++) {
      const text = Buffer.from(pseudoRandomBytes(2048, seed)).toString('latin1');
      expect(judgeBootConfig(text).boots, `random bytes, seed ${seed}`).toBe(false);
    }
  });

  it('needs a DEFAULT: labels alone boot nothing, and a DEFAULT must match a label case for case', () => {
    expect(judgeBootConfig('LABEL loader\n  KERNEL bzImage\n').problems[0]?.code).toBe('no-default');
    const wrongCase = judgeBootConfig(LOADER.replace('DEFAULT loader', 'DEFAULT Loader'));
    // Not a label: SYSLINUX looks for a kernel file named "Loader", which no card has.
    expect(wrongCase).toMatchObject({ label: null, kernel: 'Loader', initrds: [] });
  });

  it('sees a NUL or a CR where SYSLINUX does', () => {
    expect(judgeBootConfig(LOADER.replace('DEFAULT loader', 'DEFAULT lo\u0000ader')).kernel).toBe('lo');
    expect(judgeBootConfig(LOADER.replace('DEFAULT loader', 'DEFAULT loader\rjunk'))).toMatchObject({
      boots: true,
      label: 'loader',
    });
    expect(judgeBootConfig(LOADER.replace(/\n/g, '\r\n')).boots).toBe(true);
  });

  it('reads any size, and splits a line longer than 4095 bytes as SYSLINUX does', () => {
    const padding = `# ${'x'.repeat(100)}\n`.repeat(1000);
    expect(judgeBootConfig(padding + LOADER)).toMatchObject({ boots: true, kernel: 'bzImage' });
    // "  APPEND " and 4086 letters fill the 4095-byte buffer: the rest is read as a line of its own.
    const long = LOADER.replace('APPEND console=ttyS0', `APPEND ${'a'.repeat(4086)}DEFAULT other`);
    expect(judgeBootConfig(long)).toMatchObject({ label: null, kernel: 'other' });
  });

  it('takes the first initrd= of the command line SYSLINUX builds: APPEND before INITRD', () => {
    const both = LOADER.replace('APPEND console=ttyS0', 'APPEND initrd=first.img console=ttyS0');
    expect(judgeBootConfig(both).initrds).toEqual(['first.img']);
    const several = LOADER.replace('INITRD loader.img', 'INITRD a.img,b.img');
    expect(judgeBootConfig(several).initrds).toEqual(['a.img', 'b.img']);
  });

  it('boots a label without a KERNEL line from the file named like the label', () => {
    expect(judgeBootConfig('DEFAULT bzImage\nLABEL bzImage\n  APPEND quiet\n')).toMatchObject({
      boots: true,
      kernel: 'bzImage',
      options: 'quiet',
    });
  });

  it('knows what is not a Linux kernel, a prompt that waits for ever, and what it cannot tell', () => {
    const cases: Array<[string, string]> = [
      ['DEFAULT menu\nLABEL menu\n  KERNEL vesamenu.c32\n', 'not-a-linux-kernel'],
      ['DEFAULT disk\nLABEL disk\n  LOCALBOOT 0\n', 'not-a-linux-kernel'],
      [`PROMPT 1\nTIMEOUT 0\n${LOADER}`, 'waits-for-keypress'],
      [`UI menu.c32\n${LOADER}`, 'waits-for-keypress'],
      [`UI hdt.c32\n${LOADER}`, 'menu-program'],
      [`INCLUDE other.cfg\n${LOADER}`, 'includes-file'],
      [`IMPLICIT 0\nDEFAULT bzImage\n`, 'implicit-off'],
      [LOADER.replace('DEFAULT loader', 'DEFAULT\u0001loader'), 'unreadable-line'],
      [LOADER.replace('DEFAULT loader', '\u00a0DEFAULT loader'), 'unreadable-line'],
    ];
    for (const [text, code] of cases) {
      const judged = judgeBootConfig(text);
      expect(judged.boots, text).toBe(false);
      expect(
        judged.problems.map((problem) => problem.code),
        text,
      ).toContain(code);
    }
  });

  it('waits out a PROMPT with a TIMEOUT, then boots ONTIMEOUT if there is one', () => {
    expect(judgeBootConfig(`PROMPT 1\nTIMEOUT 30\n${LOADER}`)).toMatchObject({ boots: true, waitTenths: 30 });
    const other = `${LOADER}LABEL other\n  KERNEL bzImage-b\n`;
    expect(judgeBootConfig(`PROMPT 1\nTIMEOUT 30\nONTIMEOUT other\n${other}`)).toMatchObject({
      label: 'other',
    });
  });

  it('skips a TEXT HELP block, whatever it holds', () => {
    const text = `TEXT HELP\nDEFAULT other\nENDTEXT\n${LOADER}`;
    expect(judgeBootConfig(text)).toMatchObject({ boots: true, label: 'loader' });
  });
});

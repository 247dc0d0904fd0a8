import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BootMenu,
  bootMenuDifferences,
  EFI_PROMPT_TENTHS,
  EFI_TOTAL_TIMEOUT_TENTHS,
  renderBiosConfig,
  renderEfiConfig,
} from '../../shared/boot-menu.js';
import { readBootMenu } from '../../shared/boot-menu-read.js';
import { bootMenuFromSettings, generateSyslinuxConfig } from '../../shared/syslinux-config.js';

const word = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const path = fc.array(word, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const option = fc.oneof(
  word,
  fc.tuple(word, word).map(([key, value]) => `${key}=${value}`),
  fc.constantFrom('console=ttyS0,115200', 'astlinux.card=2A7C-51E3', 'astlinux.source=http://h/a/,card'),
);
const entry = fc.record({
  label: word,
  kernel: path,
  initrd: fc.option(
    fc.array(path, { minLength: 1, maxLength: 2 }).map((paths) => paths.join(',')),
    { nil: null },
  ),
  // A lone "-" is SYSLINUX's "no options"; the renderer refuses it (tested below).
  append: fc
    .array(option, { maxLength: 6 })
    .map((options) => options.join(' '))
    .filter((append) => append !== '-'),
});
const menu: fc.Arbitrary<BootMenu> = fc
  .record({
    serial: fc.option(fc.record({ port: fc.nat(3), baud: fc.constantFrom(9600, 38400, 115200) }), {
      nil: null,
    }),
    timeout: fc.nat(600),
    entries: fc.uniqueArray(entry, {
      minLength: 1,
      maxLength: 4,
      selector: (e) => e.label.toLowerCase(),
    }),
    pick: fc.nat(),
  })
  .map(({ pick, entries, ...rest }) => ({
    ...rest,
    entries,
    defaultLabel: entries[pick % entries.length]?.label ?? '',
  }));

/** What SYSLINUX would boot, without the prompt settings each firmware has its own of. */
const boots = (m: BootMenu) => ({ ...m, timeout: 0 });

describe('the boot menu and its two renderings', () => {
  it('each rendering reads back as the menu it was made from (the UEFI one from EFI/BOOT)', () => {
    fc.assert(
      fc.property(menu, fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'), (m, eol) => {
        expect(readBootMenu(renderBiosConfig(m, eol))).toEqual(m);
        const efi = readBootMenu(renderEfiConfig(m, eol), 'EFI/BOOT');
        expect(efi && boots(efi)).toEqual(boots(m));
        expect(efi?.timeout).toBe(EFI_PROMPT_TENTHS);
      }),
    );
  });

  it('the two renderings agree, and any change to one side is a named difference', () => {
    fc.assert(
      fc.property(menu, fc.nat(), (m, which) => {
        const bios = readBootMenu(renderBiosConfig(m)) as BootMenu;
        const efi = readBootMenu(renderEfiConfig(m), 'EFI/BOOT') as BootMenu;
        expect(bootMenuDifferences(bios, efi)).toEqual([]);
        const i = which % m.entries.length;
        const changed = m.entries.map((e, j) =>
          j === i ? { ...e, append: `${e.append} extra=1`.trim() } : e,
        );
        const stale = readBootMenu(renderEfiConfig({ ...m, entries: changed }), 'EFI/BOOT') as BootMenu;
        const found = bootMenuDifferences(bios, stale);
        expect(found).toHaveLength(1);
        expect(found[0]).toContain(`label ${m.entries[i]?.label}: options`);
      }),
    );
  });

  it('renders absolute paths and a bounded prompt for UEFI, relative paths and no prompt for BIOS', () => {
    const m = bootMenuFromSettings({
      serial: { port: 0, baud: 115200 },
      kernel: 'bzImage-b',
      initrd: 'loader-b.img',
      append: 'console=ttyS0,115200 console=tty0 panic=10',
      options: { card: '2A7C-51E3', pin: '1.5.10' },
      fallback: { kernel: 'bzImage', initrd: 'loader.img' },
    });
    expect(renderEfiConfig(m)).toBe(
      [
        '# Written by astcard for UEFI (syslinux.efi); /syslinux.cfg holds the same menu for BIOS.',
        '# Paths are absolute: relative ones would be looked up in /EFI/BOOT. UEFI gives SYSLINUX no Shift key,',
        '# so the boot: prompt is always shown briefly; type a label (e.g. previous) there to choose it.',
        'SERIAL 0 115200',
        'DEFAULT loader',
        'PROMPT 1',
        `TIMEOUT ${EFI_PROMPT_TENTHS}`,
        `TOTALTIMEOUT ${EFI_TOTAL_TIMEOUT_TENTHS}`,
        'LABEL loader',
        '  LINUX /bzImage-b',
        '  INITRD /loader-b.img',
        '  APPEND console=ttyS0,115200 console=tty0 panic=10 astlinux.pin=1.5.10 astlinux.card=2A7C-51E3',
        'LABEL previous',
        '  LINUX /bzImage',
        '  INITRD /loader.img',
        '  APPEND console=ttyS0,115200 console=tty0 panic=10 astlinux.pin=1.5.10 astlinux.card=2A7C-51E3',
        '',
      ].join('\n'),
    );
    // The BIOS rendering is what generateSyslinuxConfig always wrote: cards made before UEFI read the same.
    expect(renderBiosConfig(m)).toBe(
      generateSyslinuxConfig({
        serial: { port: 0, baud: 115200 },
        kernel: 'bzImage-b',
        initrd: 'loader-b.img',
        append: 'console=ttyS0,115200 console=tty0 panic=10',
        options: { card: '2A7C-51E3', pin: '1.5.10' },
        fallback: { kernel: 'bzImage', initrd: 'loader.img' },
      }),
    );
    expect(renderBiosConfig(m)).toMatch(/^PROMPT 0\nTIMEOUT 0\nLABEL loader\n {2}LINUX bzImage-b\n/m);
  });

  it('resolves paths as SYSLINUX does: relative to the config’s folder, absolute from the root', () => {
    const text = 'DEFAULT a\nLABEL a\n  KERNEL vmlinuz\n  INITRD /initrd.gz,extra.img\n';
    expect(readBootMenu(text)?.entries[0]).toMatchObject({
      kernel: 'vmlinuz',
      initrd: 'initrd.gz,extra.img',
    });
    expect(readBootMenu(text, 'EFI/BOOT')?.entries[0]).toMatchObject({
      kernel: 'EFI/BOOT/vmlinuz',
      initrd: 'initrd.gz,EFI/BOOT/extra.img',
    });
    // So a hand-made UEFI config with relative names boots other files than the BIOS one.
    const found = bootMenuDifferences(
      readBootMenu(text) as BootMenu,
      readBootMenu(text, 'EFI/BOOT') as BootMenu,
    );
    expect(found).toEqual([
      'label a: kernel vmlinuz on BIOS, EFI/BOOT/vmlinuz on UEFI',
      'label a: initrd initrd.gz,extra.img on BIOS, initrd.gz,EFI/BOOT/extra.img on UEFI',
    ]);
  });

  it('reads a RUNNIX-style menu: initrd= in APPEND is the initrd, MENU and UI lines are not part of a label', () => {
    const bios = readBootMenu(
      'UI menu.c32\nMENU TITLE RUNNIX\ndefault runnix\ntimeout 50\nlabel runnix\n  kernel runnix\n  append initrd=runnix.img root=/dev/ram0 rw init=/runnix\nlabel shell\n  kernel runnix\n  append initrd=runnix.img doshell\n',
    ) as BootMenu;
    const efi = readBootMenu(
      'UI menu.c32\ndefault runnix\nlabel runnix\n  kernel /runnix\n  append initrd=/runnix.img root=/dev/ram0 rw init=/runnix\nlabel shell\n  kernel /runnix\n  append initrd=/runnix.img doshell\n',
      'EFI/BOOT',
    ) as BootMenu;
    expect(bios).toMatchObject({
      defaultLabel: 'runnix',
      timeout: 50,
      entries: [
        { label: 'runnix', kernel: 'runnix', initrd: 'runnix.img', append: 'root=/dev/ram0 rw init=/runnix' },
        { label: 'shell', kernel: 'runnix', initrd: 'runnix.img', append: 'doshell' },
      ],
    });
    expect(bootMenuDifferences(bios, efi)).toEqual([]);
  });

  it('names a different default, serial console, and labels only one side has', () => {
    const m = bootMenuFromSettings({ fallback: { kernel: 'bzImage-b', initrd: 'loader-b.img' } });
    const other: BootMenu = {
      ...m,
      serial: { port: 1, baud: 9600 },
      defaultLabel: 'previous',
      entries: [
        m.entries[1] as BootMenu['entries'][number],
        { ...m.entries[0], label: 'rescue' } as BootMenu['entries'][number],
      ],
    };
    expect(bootMenuDifferences(m, other)).toEqual([
      'default label: loader on BIOS, previous on UEFI',
      'serial console: none on BIOS, 1 9600 on UEFI',
      'label loader: only on BIOS',
      'label rescue: only on UEFI',
    ]);
  });

  it('refuses what SYSLINUX could not read back the same way', () => {
    const m = bootMenuFromSettings({});
    const bad = (change: Partial<BootMenu['entries'][number]>) => ({
      ...m,
      entries: [{ ...(m.entries[0] as BootMenu['entries'][number]), ...change }],
    });
    expect(() => renderEfiConfig(bad({ kernel: 'my kernel' }))).toThrow(/kernel/);
    expect(() => renderBiosConfig(bad({ append: 'quiet initrd=other.img' }))).toThrow(/initrd=/);
    expect(() => renderEfiConfig(bad({ append: 'a\nLABEL evil' }))).toThrow(/line break/);
    expect(() => renderBiosConfig(bad({ append: '-' }))).toThrow(/just "-"/);
    expect(() => renderBiosConfig({ ...m, defaultLabel: 'nothing' })).toThrow(/default label/);
    expect(readBootMenu('# nothing here\nPROMPT 0\n')).toBeNull();
  });
});

import { describe, expect, test } from 'vitest';
import { confirmationName, refusePrepare } from '../../../electron/service/prepare-checks.js';
import type { CardSummary, PrepareRequest } from '../../../shared/api.js';

const usb: CardSummary = {
  id: '/dev/sdb',
  kind: 'drive',
  title: 'SanDisk Cruzer',
  location: '/dev/sdb',
  size: 8e9,
  system: false,
  hidden: false,
  state: { kind: 'empty' },
  warnings: [],
};
const system: CardSummary = { ...usb, id: '/dev/sda', location: '/dev/sda', system: true, hidden: true };
const request = (overrides: Partial<PrepareRequest> = {}): PrepareRequest => ({
  jobId: 'j',
  cards: [usb.id],
  images: ['/images/AstLinux-1.0.0.img'],
  keydisk: { mode: 'none' },
  layout: 'mbr',
  ...overrides,
});
const noMounts = () => [];
const codeOf = (run: () => void) => {
  try {
    run();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('refusePrepare', () => {
  test('lets an ordinary removable card through', () => {
    expect(codeOf(() => refusePrepare(request(), [usb], noMounts))).toBeNull();
  });

  test('wants something chosen', () => {
    expect(codeOf(() => refusePrepare(request(), [], noMounts))).toBe('nothing-chosen');
    expect(codeOf(() => refusePrepare(request({ images: [] }), [usb], noMounts))).toBe('nothing-chosen');
  });

  test('a system drive needs its exact name typed', () => {
    expect(confirmationName(system)).toBe('sda');
    expect(codeOf(() => refusePrepare(request({ cards: [system.id] }), [system], noMounts))).toBe(
      'system-drive',
    );
    const wrong = request({ cards: [system.id], typedNames: { [system.id]: 'sdb' } });
    expect(codeOf(() => refusePrepare(wrong, [system], noMounts))).toBe('system-drive');
    const typed = request({ cards: [system.id], typedNames: { [system.id]: 'sda' } });
    expect(codeOf(() => refusePrepare(typed, [system], noMounts))).toBeNull();
  });

  test('refuses a card that is one of the sources, or holds one (the wrong drive)', () => {
    const image: CardSummary = { ...usb, id: '/images/AstLinux-1.0.0.img', kind: 'image-file' };
    expect(codeOf(() => refusePrepare(request({ cards: [image.id] }), [image], noMounts))).toBe(
      'wrong-drive',
    );
    const mounted = () => ['/media/me/STICK'];
    const fromStick = request({ images: ['/media/me/STICK/AstLinux-1.0.0.img'] });
    expect(codeOf(() => refusePrepare(fromStick, [usb], mounted))).toBe('wrong-drive');
    const keydiskOnStick = request({ keydisk: { mode: 'import', path: '/media/me/STICK/kd.img' } });
    expect(codeOf(() => refusePrepare(keydiskOnStick, [usb], mounted))).toBe('wrong-drive');
    const besideStick = request({ images: ['/media/me/STICK2/AstLinux-1.0.0.img'] });
    expect(codeOf(() => refusePrepare(besideStick, [usb], mounted))).toBeNull();
    const web = request({ images: ['https://example.org/AstLinux-1.0.0.img'] });
    expect(codeOf(() => refusePrepare(web, [usb], mounted))).toBeNull();
  });
});

describe('refusePrepare with the drive rules', () => {
  test('refuses a drive the rules block, in their words, and passes one with notes only', () => {
    const locked = {
      code: 'read-only' as const,
      severity: 'blocked' as const,
      message: 'sdb is write-protected. Slide the lock switch.',
    };
    const mounted = { code: 'mounted' as const, severity: 'note' as const, message: 'sdb is in use.' };
    let caught: { code: string; message: string } | null = null;
    try {
      refusePrepare(request(), [usb], noMounts, () => [mounted, locked]);
    } catch (error) {
      caught = error as { code: string; message: string };
    }
    expect(caught).toMatchObject({ code: 'drive-refused', message: locked.message });
    expect(codeOf(() => refusePrepare(request(), [usb], noMounts, () => [mounted]))).toBeNull();
  });

  test('the typed name is the one the rules give, matched exactly', () => {
    const named: CardSummary = { ...system, confirmName: 'PhysicalDrive1' };
    const typed = (name: string) => request({ cards: [named.id], typedNames: { [named.id]: name } });
    expect(codeOf(() => refusePrepare(typed('PhysicalDrive1'), [named], noMounts))).toBeNull();
    expect(codeOf(() => refusePrepare(typed(' PhysicalDrive1'), [named], noMounts))).toBe('system-drive');
    expect(codeOf(() => refusePrepare(typed('physicaldrive1'), [named], noMounts))).toBe('system-drive');
  });
});

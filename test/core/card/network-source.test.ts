// A card's network settings beyond the sources themselves: the static address (astlinux.ip=), keeping it
// or going back to DHCP, and every other loader option surviving a change. Oracle: mtools reads the
// card's syslinux.cfg, fsck.fat checks the volume.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import {
  type CardSources,
  readCardSources,
  type SetSourcesOptions,
  setCardSources,
} from '../../../electron/core/card/network-source.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import {
  fakeImage,
  fsckCard,
  mtoolsImage,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';

afterAll(removeScratch);

const config = (card: string) => mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8');
const appendOf = (text: string) => /^\s*APPEND (.*)$/m.exec(text)?.[1] ?? '';

async function set(card: string, urls: string[], options: SetSourcesOptions = {}): Promise<CardSources> {
  const disk = await FileBlockDevice.open(card);
  try {
    const result = await setCardSources(disk, urls, options);
    await disk.flush();
    return result;
  } finally {
    await disk.close();
  }
}

async function read(card: string): Promise<CardSources> {
  const disk = await FileBlockDevice.open(card, { readOnly: true });
  try {
    return await readCardSources(disk);
  } finally {
    await disk.close();
  }
}

describe('setCardSources — the static address', () => {
  it('writes astlinux.ip beside the sources, keeps it when not named, and goes back to DHCP', async () => {
    const dir = scratch('net-ip');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 10_000)]);

    const first = await set(card, ['http://10.0.2.2/os/'], { ip: ' 192.168.1.20/24,192.168.1.1,9.9.9.9 ' });
    expect(first).toEqual({
      urls: ['http://10.0.2.2/os/'],
      cardFallback: true,
      ip: '192.168.1.20/24,192.168.1.1,9.9.9.9',
    });
    expect(appendOf(config(card))).toMatch(
      /astlinux\.source=http:\/\/10\.0\.2\.2\/os\/ astlinux\.ip=192\.168\.1\.20\/24,192\.168\.1\.1,9\.9\.9\.9/,
    );
    expect(await read(card)).toEqual(first);

    // Sources changed, address not named: the card keeps its address.
    const kept = await set(card, ['tftp://10.0.2.2/a/', 'nfs://10.0.2.2/srv/b'], { cardFallback: false });
    expect(kept.ip).toBe('192.168.1.20/24,192.168.1.1,9.9.9.9');
    expect(parseLoaderOptions(appendOf(config(card))).options).toMatchObject({
      sources: ['tftp://10.0.2.2/a/', 'nfs://10.0.2.2/srv/b/', 'card=no'],
      ip: '192.168.1.20/24,192.168.1.1,9.9.9.9',
    });

    const dhcp = await set(card, ['tftp://10.0.2.2/a/'], { ip: null });
    expect(dhcp).toEqual({ urls: ['tftp://10.0.2.2/a/'], cardFallback: true, ip: null });
    expect(config(card)).not.toMatch(/astlinux\.ip/);
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });

  it('refuses an address the loader would ignore, in plain words, and leaves syslinux.cfg as it was', async () => {
    const dir = scratch('net-ip-bad');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, []);
    const before = config(card);
    for (const ip of ['192.168.1.20', '192.168.1.300/24', '10.0.0.2/24,gateway', '10.0.0.2/33']) {
      await expect(set(card, ['http://10.0.2.2/os/'], { ip })).rejects.toMatchObject({
        code: 'invalid-option',
        message: expect.stringMatching(/^The address .*: (expected|the gateway)/),
      });
    }
    expect(config(card)).toBe(before);
  });

  it('clearing the sources clears the address too, and every other loader option survives', async () => {
    const dir = scratch('net-keep');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, []);
    // A support engineer's hand edit: options the app does not set itself must survive its changes.
    const edited = config(card).replace(
      /^(\s*)APPEND (.*)$/m,
      '$1APPEND $2 astlinux.wait=30 astlinux.debug quiet',
    );
    const file = join(dir, 'syslinux.cfg');
    writeFileSync(file, edited);
    execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, 'mbr'), file, '::/syslinux.cfg']);

    await set(card, ['http://10.0.2.2/os/'], { ip: '10.0.2.100/24,10.0.2.2' });
    const during = parseLoaderOptions(appendOf(config(card))).options;
    expect(during).toMatchObject({ wait: 30, debug: true, ip: '10.0.2.100/24,10.0.2.2' });
    expect(appendOf(config(card))).toMatch(/(^| )quiet( |$)/);

    expect(await set(card, [], { ip: '10.0.2.100/24' })).toEqual({ urls: [], cardFallback: true, ip: null });
    const after = parseLoaderOptions(appendOf(config(card))).options;
    expect(after).toMatchObject({ wait: 30, debug: true, ip: null, sources: [] });
    // The same options as before the first change (astlinux.* are rewritten in their canonical order).
    expect(after).toEqual(parseLoaderOptions(appendOf(edited)).options);
    expect(appendOf(config(card))).toMatch(/(^| )quiet( |$)/);
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });
});

/**
 * Damage as another system leaves it, made by hand on a prepared card (FAT16, MBR at PARTITION_OFFSET):
 * FAT entries set in every copy, so the copies agree and only the chains are wrong, which no cut of
 * astcard's own can leave. Shared by the core's damaged-card test and the window's repair test.
 */
import { expect } from 'vitest';
import { u16 } from '../../../electron/core/block/little-endian.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { openCardVolume } from '../../../electron/core/card/card-volume.js';
import { type FatGeometry, parseBootSector } from '../../../electron/core/fat/boot-sector.js';
import { PARTITION_OFFSET } from './card-fixtures.js';

export function geometryOf(card: Uint8Array): FatGeometry {
  return parseBootSector(card.subarray(PARTITION_OFFSET, PARTITION_OFFSET + 512), card.length);
}

/** Sets a FAT16 entry in every FAT copy, as damage by another system would. */
export function setFat(card: Uint8Array, cluster: number, value: number): void {
  const geometry = geometryOf(card);
  expect(geometry.type).toBe(16);
  for (let copy = 0; copy < geometry.fatCount; copy++) {
    const at =
      PARTITION_OFFSET +
      (geometry.reservedSectors + copy * geometry.fatSectors) * geometry.bytesPerSector +
      cluster * 2;
    card[at] = value & 0xff;
    card[at + 1] = value >> 8;
  }
}

export function getFat(card: Uint8Array, cluster: number): number {
  const geometry = geometryOf(card);
  return u16(card, PARTITION_OFFSET + geometry.reservedSectors * geometry.bytesPerSector + cluster * 2);
}

/** A file's clusters in chain order, read from the undamaged card. */
export async function chainOf(card: Uint8Array, name: string): Promise<number[]> {
  const { volume } = await openCardVolume(new MemoryBlockDevice(card), { readOnly: true });
  const chain = [(await volume.stat(name)).firstCluster];
  for (let next = getFat(card, chain[0] as number); next < 0xfff8; next = getFat(card, next))
    chain.push(next);
  return chain;
}

/** The highest free cluster: what no file reaches, and what the next write would hand out last. */
export function freeCluster(card: Uint8Array): number {
  const geometry = geometryOf(card);
  for (let cluster = geometry.clusterCount + 1; cluster >= 2; cluster--)
    if (getFat(card, cluster) === 0) return cluster;
  throw new Error('no free cluster');
}

/** What the drive list says about a drive that is already an AstLinux card: a quick, read-only inspect. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { planBoot } from '../../../shared/boot-plan.js';
import { sidecarAlgorithm } from '../../../shared/checksums.js';
import type { BlockDevice } from '../block/block-device.js';
import { RawBlockDevice } from '../block/raw-block-device.js';
import { type CardReport, inspectCard } from '../card/inspect.js';

export interface CardSummary {
  label: string | null;
  loaderVersion: string | null;
  images: string[];
  /** The image the loader would pick (if its checksum matches: quick inspect does not hash). */
  boots: string | null;
  problems: string[];
  /** How it was read: the raw device (the card doctor's quick inspect) or the files of its mounted volume. */
  source: 'device' | 'mounted-files';
}

export function summariseCard(report: CardReport): CardSummary | null {
  if (!report.astlinux) return null;
  return {
    label: report.label,
    loaderVersion: report.loader.version,
    images: report.images.map((image) => image.name),
    boots: report.boot?.image ?? null,
    problems: report.problems.map((problem) => problem.message),
    source: 'device',
  };
}

/** Quick inspect of an open device; never writes. */
export async function summariseDevice(disk: BlockDevice): Promise<CardSummary | null> {
  return summariseCard(await inspectCard(disk, { quick: true }));
}

/**
 * Opens the drive read-only and summarises it; null when it is not a card or cannot be read (mounted
 * drives refuse the exclusive open, and an unprivileged app may not read raw drives at all).
 */
export async function summariseDrive(device: string, size?: number): Promise<CardSummary | null> {
  let disk: BlockDevice | undefined;
  try {
    disk = await RawBlockDevice.open(
      device,
      size === undefined ? { readOnly: true } : { readOnly: true, size },
    );
    return await summariseDevice(disk);
  } catch {
    return null;
  } finally {
    await disk?.close().catch(() => {});
  }
}

const MAX_SIDECAR_BYTES = 4096;

/**
 * A mounted card seen through its files: what an unprivileged app can read on every OS (raw drives need
 * administrator rights on macOS and Windows). The boot prediction is the shared boot plan over the root
 * directory and its sidecars, as the loader would make it, without hashing; the pin is not read.
 */
export async function summariseMountedCard(
  mountpoint: string,
  label: string | null = null,
): Promise<CardSummary | null> {
  let names: string[];
  try {
    names = await readdir(mountpoint);
  } catch {
    return null;
  }
  const files: Array<{ name: string; size: number }> = [];
  const sidecars: { [name: string]: string } = {};
  for (const name of names) {
    const isImage = /^astlinux-.*\.img$/i.test(name);
    const isSidecar = sidecarAlgorithm(name) !== null;
    if (!isImage && !isSidecar && name.toLowerCase() !== 'loader.json') continue;
    try {
      const info = await stat(join(mountpoint, name));
      if (!info.isFile()) continue;
      files.push({ name, size: info.size });
      if (isSidecar && info.size <= MAX_SIDECAR_BYTES)
        sidecars[name] = await readFile(join(mountpoint, name), 'utf8');
    } catch {
      // A file that vanished or cannot be read is left out, as the loader would skip it.
    }
  }
  const images = files.filter((file) => /^astlinux-.*\.img$/i.test(file.name)).map((file) => file.name);
  const loaderInfo = files.find((file) => file.name.toLowerCase() === 'loader.json');
  if (images.length === 0 && !loaderInfo) return null;
  const plan = planBoot({ files, sidecars });
  return {
    label,
    loaderVersion: loaderInfo ? await loaderVersionAt(join(mountpoint, loaderInfo.name)) : null,
    images: images.sort(),
    boots: plan.candidates.find((candidate) => candidate.rejection === null)?.name ?? null,
    problems: plan.candidates.flatMap((candidate) =>
      candidate.rejection ? [`${candidate.name}: ${candidate.rejection.reason}`] : [],
    ),
    source: 'mounted-files',
  };
}

async function loaderVersionAt(path: string): Promise<string | null> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as { version?: unknown };
    return typeof info.version === 'string' ? info.version : null;
  } catch {
    return null;
  }
}

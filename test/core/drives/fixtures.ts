import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifyContext } from '../../../electron/core/drives/classify.js';
import { type DriveRecord, toDriveRecord } from '../../../electron/core/drives/drive-record.js';

export interface DriveFixture {
  platform: ClassifyContext['platform'];
  drives: DriveRecord[];
}

/** A recorded (or hand-written, drivelist-shaped) `drivelist.list()` output. */
export function loadFixture(name: string): DriveFixture {
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8')) as {
    platform: ClassifyContext['platform'];
    drives: Array<Record<string, unknown>>;
  };
  return { platform: raw.platform, drives: raw.drives.map(toDriveRecord) };
}

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TIME_ZONES, TZDATA_VERSION } from '../../../electron/core/settings/time-zones.js';

const ZONEINFO = '/usr/share/zoneinfo';

/** Zone and link names of this machine's tzdata, the source the list is generated from. */
function machineZones(): { version: string; names: Set<string> } {
  const text = readFileSync(`${ZONEINFO}/tzdata.zi`, 'utf8');
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.split(/\s+/);
    if (fields[0] === 'Z' && fields[1]) names.add(fields[1]);
    if (fields[0] === 'L' && fields[2]) names.add(fields[2]);
  }
  names.delete('Factory');
  return { version: /^# version (\S+)$/m.exec(text)?.[1] ?? '', names };
}

describe('the shipped time zone list', () => {
  it('is sorted, without duplicates, and holds the names people use', () => {
    expect([...TIME_ZONES].sort()).toEqual(TIME_ZONES);
    expect(new Set(TIME_ZONES).size).toBe(TIME_ZONES.length);
    for (const name of [
      'UTC',
      'Europe/Berlin',
      'America/Chicago',
      'America/Argentina/Buenos_Aires',
      'US/Eastern',
    ])
      expect(TIME_ZONES).toContain(name);
    expect(TIME_ZONES).not.toContain('Factory');
  });

  it("names only files Debian's tzdata has, as AstLinux links /usr/share/zoneinfo/$TIMEZONE", () => {
    expect(existsSync(`${ZONEINFO}/tzdata.zi`)).toBe(true);
    const missing = TIME_ZONES.filter((name) => !existsSync(`${ZONEINFO}/${name}`));
    expect(missing).toEqual([]);
  });

  // A newer tzdata on the machine may add zones: then this is skipped, the test above still holds, and
  // `node scripts/generate-time-zones.mjs` brings the list up to date.
  const machine = machineZones();
  it.runIf(machine.version === TZDATA_VERSION)(
    `is what scripts/generate-time-zones.mjs makes from this tzdata (${TZDATA_VERSION})`,
    () => {
      expect(TIME_ZONES).toEqual([...machine.names].sort());
    },
  );
});

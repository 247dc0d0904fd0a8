import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../../scripts/lib/cli-bundle.mjs';

function astcardDrives(...args: string[]) {
  return spawnSync(process.execPath, [ASTCARD_CLI, 'drives', ...args], { encoding: 'utf8' });
}

/** The whole disk holding / (findmnt names a partition on most machines; here the disk itself). */
function systemDisk(): string {
  const source = spawnSync('findmnt', ['-n', '-o', 'SOURCE', '/'], { encoding: 'utf8' }).stdout.trim();
  const parent = spawnSync('lsblk', ['-n', '-d', '-o', 'PKNAME', source], { encoding: 'utf8' }).stdout.trim();
  return parent ? `/dev/${parent}` : source;
}

describe('astcard drives', () => {
  it('shows the disk holding / as a system drive that cannot be used (--all --json)', () => {
    const run = astcardDrives('--all', '--json');
    expect(run.status).toBe(0);
    const { drives } = JSON.parse(run.stdout) as {
      drives: Array<{
        device: string;
        system: boolean;
        access: string;
        hidden: boolean;
        reasons: Array<{ code: string }>;
      }>;
    };
    const system = drives.find((drive) => drive.device === systemDisk());
    expect(system).toBeDefined();
    expect(system?.system).toBe(true);
    expect(system?.access).toBe('blocked');
    expect(system?.reasons.map((reason) => reason.code)).toEqual(
      expect.arrayContaining(['system', 'running-system']),
    );
  });

  it('hides it by default and says how to see it; prints it with its reasons under --all', () => {
    const plain = astcardDrives();
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain(systemDisk());
    expect(plain.stdout).toMatch(/hidden .*--all shows them/);
    const all = astcardDrives('--all');
    const line = all.stdout.split('\n').find((text) => text.startsWith(systemDisk()));
    expect(line).toContain('system drive');
    expect(line).toContain('cannot be used');
    expect(all.stdout).toContain('holds the system this computer is running');
  });

  it('rejects a stray argument as a usage error (exit 2)', () => {
    expect(astcardDrives('/dev/sdz').status).toBe(2);
  });
});

// The plan CLI's `index` command under Debian's mujs (the loader's engine) and in Node: the init turns a
// remote source's astlinux.index into a listing and .sha1 files with it, so both must read it the same way.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIndex } from '../../shared/index.js';
import { type PlanRun, planBundleForFile, runBoth } from './plan-cli-runs.js';

const plan = planBundleForFile('astcard-plan-index-');
const both = (...args: string[]): PlanRun => runBoth(plan.bundle, args);

function indexFile(name: string, text: string): string {
  const path = join(plan.work, name);
  writeFileSync(path, text);
  return path;
}

const SHA_A = 'a'.repeat(40);
const SHA_B = '0123456789abcdef0123456789abcdef01234567';

describe('plan index <indexFile>', () => {
  it('prints one image line per entry, with the size when the index gives one', () => {
    const text = formatIndex([
      { name: 'AstLinux-1.5.1.img', sha1: SHA_A, size: 123456 },
      { name: 'AstLinux-1.6.0.img', sha1: SHA_B.toUpperCase(), size: null },
    ]);
    const run = both('index', indexFile('good.index', text));
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      `image AstLinux-1.5.1.img 123456 ${SHA_A}`,
      `image AstLinux-1.6.0.img - ${SHA_B}`,
    ]);
  });

  it('a broken index is one bad line and exit 1, so the init moves on to the next source', () => {
    for (const text of ['', '<html>404 Not Found</html>\n', `${SHA_A}  ../AstLinux-1.0.0.img\n`]) {
      const run = both('index', indexFile('bad.index', text));
      expect(run.code, text).toBe(1);
      expect(run.lines.length, text).toBe(1);
      expect(run.lines[0], text).toMatch(/^bad \S/);
    }
  });

  it('an unreadable index file is a usage error (exit 2)', () => {
    expect(both('index', join(plan.work, 'missing.index')).code).toBe(2);
    expect(both('index').code).toBe(2);
  });
});

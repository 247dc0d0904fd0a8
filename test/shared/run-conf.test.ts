// .run.conf and os/default.conf read without running them: the vectors, and busybox ash (what RUNNIX
// sources them with) as the oracle for every file that holds nothing but settings.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunConf } from '../../shared/run-conf.js';
import { ash } from './busybox-oracle.js';
import { expectVector, loadVectors, vectorRows } from './vector-table.js';

describe('vectors run-conf.json', () => {
  it.each(vectorRows('run-conf.json'))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const work = mkdtempSync(join(tmpdir(), 'astcard-runconf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What ash has in each named variable after sourcing `text` (values may hold newlines: NUL-separated). */
function sourcedByAsh(text: string, names: string[], environment: Record<string, string>): string[] {
  const file = join(work, 'settings.conf');
  writeFileSync(file, text);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, expanded by ash
  const script = '. "$1"; shift; for n in "$@"; do eval "v=\\${$n-}"; printf "%s\\0" "$v"; done';
  const run = ash(script, [file, ...names], environment);
  expect(run.stderr).toBe('');
  return run.stdout.split('\0').slice(0, names.length);
}

function expectAshAgrees(text: string, environment: Record<string, string> = {}) {
  const conf = parseRunConf(text, environment);
  const names = Object.keys(conf.values).sort();
  expect(sourcedByAsh(text, names, environment)).toEqual(names.map((name) => conf.values[name]));
}

describe('busybox ash agrees', () => {
  // Files with problems would run commands under ash; a case marked differsFromAsh says why it differs.
  const cases = loadVectors('run-conf.json').cases.filter((c) => {
    const problems = (c.expect as { problems?: unknown }).problems;
    return Array.isArray(problems) && problems.length === 0 && c.differsFromAsh === undefined;
  });

  it('on every vector that holds only settings', () => {
    expect(cases.length).toBeGreaterThan(8);
    for (const c of cases) expectAshAgrees(c.text as string, (c.environment as Record<string, string>) ?? {});
  });

  const name = fc.constantFrom('KCMD', 'KERN', 'INITRD', 'FSTYPE', 'A_1', 'b');
  const bare = fc.stringMatching(/^[a-z0-9/._,=:+-]{1,8}$/);
  const singleQuoted = fc.stringMatching(/^[ -&(-~]{0,10}$/).map((text) => `'${text}'`);
  // No $, quote, backslash or backquote at random: those come only in the shapes listed.
  const doubleInner = fc.oneof(
    fc.stringMatching(/^[ !#%&'()*+,./0-9:;<=>?@A-Z[\]^_a-z|~-]{1,8}$/),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, expanded by ash
    fc.constantFrom('\\"', '\\\\', '\\$', '\\x', '$KCMD', '${KERN}', '$ROOT', '\\\n', ' $ '),
  );
  const doubleQuoted = fc.array(doubleInner, { maxLength: 5 }).map((parts) => `"${parts.join('')}"`);
  const value = fc.array(fc.oneof(bare, singleQuoted, doubleQuoted, fc.constant('$BASE')), { maxLength: 3 });
  const line = fc.oneof(
    fc
      .tuple(fc.boolean(), name, value)
      .map(([exported, n, parts]) => `${exported ? 'export ' : ''}${n}=${parts.join('')}`),
    // Two on a line: after `;` or a blank each sees the one before; `export` expands both first.
    fc
      .tuple(fc.constantFrom('; ', ' ', '; export '), fc.boolean(), name, value, name, value)
      .map(
        ([between, exported, n1, v1, n2, v2]) =>
          `${exported ? 'export ' : ''}${n1}=${v1.join('')}${between}${n2}=${v2.join('')}`,
      ),
    fc.stringMatching(/^[ -~]{0,12}$/).map((comment) => `# ${comment}`),
    fc.constant(''),
  );

  it('on generated settings files: quotes, escapes, expansions, continuations, comments', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), fc.boolean(), (lines, crlf) => {
        const text = `${lines.join(crlf ? '\r\n' : '\n')}\n`;
        // ash keeps a CR in values; RUNNIX's files are written on Linux. Compare on LF text.
        expectAshAgrees(text.replace(/\r\n/g, '\n'), { BASE: '/mnt/base', ROOT: '/mnt/root' });
        expect(parseRunConf(text).values).toEqual(parseRunConf(text.replace(/\r\n/g, '\n')).values);
      }),
      { numRuns: 250 },
    );
  });
});

describe('never runs or trips over anything', () => {
  it('any text gives values and problems, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const conf = parseRunConf(text);
        expect(Array.isArray(conf.problems)).toBe(true);
        for (const value of Object.values(conf.values)) expect(typeof value).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

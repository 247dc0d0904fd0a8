// `npm start` on a machine where Electron cannot open a window (no display here, and its binary is not
// installed): it says so, starts `astcard ui`, whose page answers at the printed address, and Ctrl-C —
// SIGINT to the whole process group, as a terminal sends it — stops it cleanly: astcard says it stopped,
// its process and its port are gone.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const checkout = resolve(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'astcard-npm-start-'));
const groups: number[] = [];

afterAll(() => {
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
  rmSync(home, { recursive: true, force: true });
});

/** The pids listening on a port, as ss reports them. */
function listeners(port: number): number[] {
  const lines = execFileSync('ss', ['-Htlnp', `sport = :${port}`], { encoding: 'utf8' });
  return [...lines.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
}

/** Runs the command in a process group of its own, without a display, until astcard ui prints its address. */
async function start(command: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(command, args, {
    cwd: checkout,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  groups.push(child.pid as number);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const run = {
    output: '',
    exited,
    url: '',
    port: 0,
    ctrlC: () => process.kill(-(child.pid as number), 'SIGINT'),
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      run.output += chunk;
    });
  }
  // The first start may build what is older than its sources; that can take minutes on a busy machine.
  const deadline = Date.now() + 600_000;
  while (!/astcard is running at (\S+)/.test(run.output)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`astcard ui did not start:\n${run.output}`);
    await new Promise((wait) => setTimeout(wait, 200));
  }
  run.url = /astcard is running at (\S+)/.exec(run.output)?.[1] ?? '';
  run.port = Number(new URL(run.url).port);
  return run;
}

describe('npm start without a display', () => {
  test('starts astcard ui and says why, serves the app on 127.0.0.1 only, and stops on Ctrl-C', async () => {
    const run = await start('npm', ['start']);
    expect(run.output).toContain(
      'Starting astcard in your web browser instead of its own window: there is no display here (DISPLAY and WAYLAND_DISPLAY are not set).',
    );
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{48}\/$/);
    const page = await fetch(run.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>astcard</title>');
    const [server] = listeners(run.port);
    expect(server).toBeGreaterThan(0);
    const bound = execFileSync('ss', ['-Htln', `sport = :${run.port}`], { encoding: 'utf8' });
    expect(bound.trim().split(/\s+/)[3]).toBe(`127.0.0.1:${run.port}`);

    run.ctrlC();
    const { code, signal } = await run.exited;
    // npm itself ends by the Ctrl-C as it does for any script; astcard, its grandchild, stops cleanly.
    expect(code === 0 || signal === 'SIGINT', `${code} ${signal}\n${run.output}`).toBe(true);
    expect(run.output).toContain('Stopping…\nastcard stopped.');
    expect(listeners(run.port)).toEqual([]);
    expect(() => process.kill(server as number, 0)).toThrow(/ESRCH/);
  }, 900_000);

  test('the start script itself hands over to astcard ui, which exits with 0 on Ctrl-C', async () => {
    const run = await start('bash', ['scripts/start.sh']);
    expect(run.output).toContain('Starting astcard in your web browser instead of its own window');
    run.ctrlC();
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output).toContain('astcard stopped.');
    expect(listeners(run.port)).toEqual([]);
  }, 900_000);
});

// The bundle's entry under mujs: wire the real host in, turn each result into an exit code — the process's,
// or under `serve` the answer's.
import { EXIT_INTERNAL, type PlanHost, runPlanCli } from './plan-cli.js';
import { serve } from './serve.js';

function loaderVersion(): string | null {
  return typeof ASTCARD_LOADER_VERSION === 'string' ? ASTCARD_LOADER_VERSION : null;
}

const host: PlanHost = { read: (path) => read(path), print: (line) => print(line), loaderVersion };

function runCommand(args: string[]): number {
  try {
    return runPlanCli(args, host);
  } catch (error) {
    // A bug, not a card state: say so on one line and use an exit code no command uses otherwise.
    print(`error internal: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_INTERNAL;
  }
}

if (scriptArgs.length === 1 && scriptArgs[0] === 'serve') {
  serve({ readline: () => readline(), print: (line) => print(line) }, runCommand);
  quit(0);
}
quit(runCommand(scriptArgs));

// The bundle's entry under mujs: wire the real host in, turn the result into the process exit code.
import { EXIT_INTERNAL, runPlanCli } from './plan-cli.js';

function loaderVersion(): string | null {
  return typeof ASTCARD_LOADER_VERSION === 'string' ? ASTCARD_LOADER_VERSION : null;
}

let code: number;
try {
  code = runPlanCli(scriptArgs, { read: (path) => read(path), print: (line) => print(line), loaderVersion });
} catch (error) {
  // A bug, not a card state: say so on one line and use an exit code no command uses otherwise.
  print(`error internal: ${error instanceof Error ? error.message : String(error)}`);
  code = EXIT_INTERNAL;
}
quit(code);

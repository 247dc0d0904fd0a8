// The signatures bundle's entry under mujs: wire the real host in, turn the result into the exit code.
import { EXIT_INTERNAL, runSignaturesCli } from './signatures-cli.js';

let code: number;
try {
  code = runSignaturesCli(scriptArgs, { read: (path) => read(path), print: (line) => print(line) });
} catch (error) {
  // A bug, not a card state: say so on one line and use an exit code no command uses otherwise.
  print(`error internal: ${error instanceof Error ? error.message : String(error)}`);
  code = EXIT_INTERNAL;
}
quit(code);

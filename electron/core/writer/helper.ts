/** The helper process's script: see helper-main.ts. Kept apart so importing runHelper never starts one. */
import { errorData } from '../errors.js';
import { runHelper } from './helper-main.js';

// A promise that rejects before its consumer gets to await it (read-ahead of a source that is cancelled)
// must not kill a process that holds a half-written card: the job's own promise still reports the
// failure. Log it for the record instead of crashing.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`astcard writer: late-handled rejection: ${errorData(reason).message}\n`);
});

runHelper(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`astcard writer: ${errorData(error).message}\n`);
    process.exit(1);
  },
);

/**
 * Something that connects to the writer client without the real token (a stale helper, another local
 * process that found the port). Records every message it receives into the file named by
 * ASTCARD_IMPOSTOR_LOG, so the test can prove the job never reached it.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { decodeSpec } from '../../../electron/core/writer/helper-spec.js';

const spec = decodeSpec(process.argv[process.argv.indexOf('--spec') + 1] ?? '');
const log = process.env.ASTCARD_IMPOSTOR_LOG ?? '/dev/null';
writeFileSync(log, '');
const socket = connect({ host: '127.0.0.1', port: spec.port }, () => {
  socket.write(
    `${JSON.stringify({ type: 'hello', protocol: 1, token: 'f'.repeat(64), pid: process.pid })}\n`,
  );
});
socket.on('data', (chunk) => appendFileSync(log, chunk));
socket.on('error', () => {});
socket.on('close', () => process.exit(0));

/**
 * The writer's wire protocol: newline-delimited JSON over a loopback socket. The helper connects and says
 * hello with the one-time token; the client then sends jobs, each with its own id and the numbers of the
 * targets it works on (never a device), and the helper streams steps and progress tagged with that id and
 * the card's place in the job, ending each job with done or failed. A station asks for new targets with
 * admit. `end` says no more jobs are coming. Errors cross as data ({code, message, detail}).
 */
import type { Socket } from 'node:net';
import type { Progress } from '../card/progress.js';
import type { ErrorData } from '../errors.js';
import type { TargetSpec } from './helper-spec.js';
import type { ProvisionOutcome } from './jobs.js';
import { WriterError } from './writer-error.js';

export const PROTOCOL_VERSION = 2;
/** No honest message comes near this; a peer that sends more is cut off rather than buffered. */
export const MAX_LINE_BYTES = 1024 * 1024;

export type WriterStep = 'checking' | 'unmounting' | 'writing' | 'syncing' | 'ejecting';

export type HelperMessage =
  | { type: 'hello'; protocol: number; token: string; pid: number }
  | { type: 'step'; id: number; card: number; step: WriterStep }
  | { type: 'progress'; id: number; card: number; progress: Progress }
  | { type: 'outcome'; id: number; card: number; outcome: ProvisionOutcome }
  | { type: 'done'; id: number; result: unknown; ejected: boolean }
  | { type: 'admitted'; id: number; slot: number }
  | { type: 'failed'; id: number; error: ErrorData };

export type ClientMessage =
  | { type: 'job'; id: number; slots: number[]; job: unknown }
  | { type: 'admit'; id: number; target: TargetSpec }
  | { type: 'cancel'; id: number }
  | { type: 'end' };

export function encodeMessage(message: HelperMessage | ClientMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** Calls onMessage with each parsed line; a line that is not a JSON object, or too long, ends the stream. */
export function readMessages(
  socket: Socket,
  onMessage: (message: Record<string, unknown>) => void,
  onError: (error: WriterError) => void,
): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    if (pending.length > MAX_LINE_BYTES && !pending.includes('\n')) {
      socket.destroy();
      onError(new WriterError('protocol', 'The writer received a message far too long to be real.'));
      return;
    }
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        socket.destroy();
        onError(
          new WriterError('protocol', 'The writer received a message that is not JSON.', { cause: error }),
        );
        return;
      }
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        Array.isArray(parsed) ||
        typeof (parsed as { type?: unknown }).type !== 'string'
      ) {
        socket.destroy();
        onError(new WriterError('protocol', 'The writer received a message without a type.'));
        return;
      }
      onMessage(parsed as Record<string, unknown>);
    }
  });
}

/**
 * The writer's wire protocol: newline-delimited JSON over a loopback socket. The helper connects, says
 * hello with the one-time token, receives exactly one job, streams steps and progress, and ends with
 * done or failed. Errors cross as data ({code, message, detail}), never as Error objects.
 */
import type { Socket } from 'node:net';
import type { Progress } from '../card/progress.js';
import type { ErrorData } from '../errors.js';
import { WriterError } from './writer-error.js';

export const PROTOCOL_VERSION = 1;
/** No honest message comes near this; a peer that sends more is cut off rather than buffered. */
export const MAX_LINE_BYTES = 1024 * 1024;

export type WriterStep = 'checking' | 'unmounting' | 'writing' | 'syncing' | 'ejecting';

export type HelperMessage =
  | { type: 'hello'; protocol: number; token: string; pid: number }
  | { type: 'step'; step: WriterStep }
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: unknown; ejected: boolean }
  | { type: 'failed'; error: ErrorData };

export type ClientMessage = { type: 'job'; job: unknown } | { type: 'cancel' };

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

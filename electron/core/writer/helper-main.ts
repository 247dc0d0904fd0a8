/**
 * The writer helper's entry point: `node helper-main.js --spec <base64>` (under Electron: the app's own
 * executable with ELECTRON_RUN_AS_NODE=1). It may run elevated. It connects back to the client on
 * loopback, proves itself with the one-time token, then runs the jobs it is sent on the targets it was
 * started with (a batch's cards run at once; one job per card at a time), until the client says `end` or
 * goes away. Exit code 0 when every job succeeded, 1 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { errorData } from '../errors.js';
import { admitTarget } from './admit.js';
import { executeJob } from './execute.js';
import { executeProvision } from './execute-provision.js';
import { decodeSpec, type HelperSpec, parseTargetSpec, type TargetSpec } from './helper-spec.js';
import { jobTargetCount, parseJob, type WriterJob } from './jobs.js';
import { encodeMessage, type HelperMessage, PROTOCOL_VERSION, readMessages } from './protocol.js';
import { WriterError } from './writer-error.js';

export async function runHelper(argv: string[]): Promise<number> {
  const index = argv.indexOf('--spec');
  const spec = decodeSpec(argv[index + 1] ?? '');
  const token = (await readFile(spec.tokenFile, 'utf8')).trim();
  const socket = await connectTo(spec.port);
  const send = (message: HelperMessage) => {
    if (!socket.destroyed) socket.write(encodeMessage(message));
  };
  send({ type: 'hello', protocol: PROTOCOL_VERSION, token, pid: process.pid });
  const ok = await serve(socket, spec, send);
  await new Promise<void>((resolve) => socket.end(resolve));
  return ok ? 0 : 1;
}

function serve(socket: Socket, spec: HelperSpec, send: (message: HelperMessage) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const targets: TargetSpec[] = [...spec.targets];
    const busy = new Set<number>();
    const running = new Map<number, AbortController>();
    let allOk = true;
    let ending = false;
    const finishWhenIdle = () => {
      if (ending && running.size === 0) resolve(allOk);
    };
    const fail = (id: number, error: unknown) => {
      allOk = false;
      send({ type: 'failed', id, error: errorData(error) });
    };

    const startJob = (id: number, slots: unknown, rawJob: unknown) => {
      let job: WriterJob;
      try {
        job = parseJob(rawJob);
        checkSlots(slots, jobTargetCount(job), targets.length, busy);
      } catch (error) {
        fail(id, error);
        return;
      }
      const chosen = (slots as number[]).map((slot) => targets[slot] as TargetSpec);
      const abort = new AbortController();
      running.set(id, abort);
      for (const slot of slots as number[]) busy.add(slot);
      const work =
        job.kind === 'provision'
          ? executeProvision(chosen, spec.user, job, {
              onStep: (card, step) => send({ type: 'step', id, card, step }),
              onProgress: (card, progress) => send({ type: 'progress', id, card, progress }),
              onOutcome: (card, outcome) => send({ type: 'outcome', id, card, outcome }),
              signal: abort.signal,
            }).then((result) => ({ result, ejected: false }))
          : executeJob(chosen[0] as TargetSpec, spec.user, job, {
              onStep: (step) => send({ type: 'step', id, card: 0, step }),
              onProgress: (progress) => send({ type: 'progress', id, card: 0, progress }),
              signal: abort.signal,
            });
      work
        .then(
          ({ result, ejected }) => send({ type: 'done', id, result, ejected }),
          (error) => fail(id, error),
        )
        .finally(() => {
          running.delete(id);
          for (const slot of slots as number[]) busy.delete(slot);
          finishWhenIdle();
        });
    };

    const admit = (id: number, offered: unknown) => {
      const target = parseTargetSpec(offered);
      if (!spec.station || target === null) {
        fail(
          id,
          new WriterError('protocol', 'The writer takes new drives only for a station, described in full.'),
        );
        return;
      }
      admitTarget(spec.station, target).then(
        (accepted) => {
          // A reader slot gets the same device name for every card put in it: the old entry is simply retired.
          targets.push(accepted);
          send({ type: 'admitted', id, slot: targets.length - 1 });
        },
        (error) => fail(id, error),
      );
    };

    readMessages(
      socket,
      (message) => {
        const id = typeof message.id === 'number' ? message.id : -1;
        if (message.type === 'job' && !ending) startJob(id, message.slots, message.job);
        else if (message.type === 'admit' && !ending) admit(id, message.target);
        else if (message.type === 'cancel') running.get(id)?.abort();
        else if (message.type === 'end') {
          ending = true;
          finishWhenIdle();
        } else
          fail(
            id,
            new WriterError('protocol', 'The writer received a message it does not take.', {
              detail: String(message.type),
            }),
          );
      },
      (error) => {
        allOk = false;
        for (const abort of running.values()) abort.abort();
        ending = true;
        finishWhenIdle();
        void error;
      },
    );
    // The client went away (closed the app, or refused our token): stop every job at its next safe point.
    socket.on('close', () => {
      for (const abort of running.values()) abort.abort();
      if (!ending) allOk = false;
      ending = true;
      finishWhenIdle();
    });
    socket.on('error', () => {
      for (const abort of running.values()) abort.abort();
    });
  });
}

/** The slots a job names: known targets, as many as the job works on, none already at work. */
function checkSlots(slots: unknown, wanted: number, known: number, busy: Set<number>): void {
  if (
    !Array.isArray(slots) ||
    slots.length !== wanted ||
    new Set(slots).size !== slots.length ||
    !slots.every((slot) => Number.isInteger(slot) && slot >= 0 && slot < known)
  ) {
    throw new WriterError('malformed-job', 'The job names targets the writer was not given.', {
      detail: JSON.stringify(slots),
    });
  }
  const taken = slots.find((slot: number) => busy.has(slot));
  if (taken !== undefined) {
    throw new WriterError(
      'target-busy',
      'Another job is still running on this card. Wait for it to finish.',
      {
        detail: `slot ${taken}`,
      },
    );
  }
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

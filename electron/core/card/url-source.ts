/**
 * An AstLinux image downloaded over http(s), streamed straight onto the card (never whole in memory).
 *
 * The size comes from the server before anything is written, so the space check and the FAT allocation
 * are exact. A connection that drops is picked up where it stopped with a `Range` request; a server that
 * ignores ranges sends the whole file again and the bytes already written are skipped, so the copy goes
 * on either way. A download that keeps stopping short, or that runs longer than announced, is refused:
 * the copy then fails before its checksum file is written, so it never becomes a boot candidate.
 * The checksum is fetched from `<url>.sha256` or `<url>.sha1` when the server has one.
 */
import { posix } from 'node:path';
import { type DigestAlgorithm, sidecarFileName } from '../../../shared/checksums.js';
import { CardError } from './card-error.js';
import { checkImageName, expectedFromSidecar, type ImageSource, MAX_SIDECAR_BYTES } from './image-source.js';

export interface UrlSourceOptions {
  signal?: AbortSignal;
  /** Attempts in a row that bring no new byte before the download is given up. */
  retries?: number;
  /** Pause before a retry, growing with each failure in a row. */
  retryDelayMs?: number;
}

const DEFAULT_RETRIES = 4;
const DEFAULT_RETRY_DELAY_MS = 500;

export function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

export async function imageFromUrl(url: string, options: UrlSourceOptions = {}): Promise<ImageSource> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CardError('invalid-option', `${url} is not a valid web address.`, { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CardError('invalid-option', `${url} is not an http or https address.`);
  }
  const name = decodeURIComponent(posix.basename(parsed.pathname));
  checkImageName(name);
  return fileFromUrl(url, name, options);
}

/**
 * Any file over http(s), with the checksum file the server keeps beside it (`.sha256`, `.sha1`) and its
 * signed list: a release archive as well as an image. The name is taken as it is.
 */
export async function fileFromUrl(
  url: string,
  name: string,
  options: UrlSourceOptions = {},
): Promise<ImageSource> {
  const { signal } = options;
  const size = await announcedSize(url, signal);
  const expected = await remoteSidecar(url, name, signal);
  const signedList = await remoteSignedList(url, signal);
  return {
    name,
    size,
    expected,
    signedList,
    origin: url,
    chunks: () => download(url, name, size, options),
  };
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new CardError(
      'download-failed',
      `Could not reach the server for ${what}. Check the address and the network.`,
      {
        cause: error,
        detail: `${url}: ${describe(error)}`,
      },
    );
  }
}

/** Content-Length from HEAD, or from a GET whose body is dropped when the server does not answer HEAD. */
async function announcedSize(url: string, signal: AbortSignal | undefined): Promise<number> {
  const init = (method: string): RequestInit => (signal ? { method, signal } : { method });
  let response = await request(url, init('HEAD'), url);
  // Some servers (signed storage URLs among them) refuse HEAD but serve GET.
  if (response.status === 403 || response.status === 405 || response.status === 501) {
    response = await request(url, init('GET'), url);
    await response.body?.cancel();
  }
  if (!response.ok) {
    throw new CardError('download-failed', `The server refused ${url} (HTTP ${response.status}).`, {
      detail: `${response.status} ${response.statusText}`,
    });
  }
  const length = Number(response.headers.get('content-length'));
  if (!response.headers.has('content-length') || !Number.isSafeInteger(length) || length < 0) {
    throw new CardError(
      'download-failed',
      `The server does not say how large ${url} is, so it cannot be checked for completeness. Download it first, then add the file.`,
    );
  }
  return length;
}

/** `<url>.sha256.sig`, the image's signed list, when the server has one. */
async function remoteSignedList(
  url: string,
  signal: AbortSignal | undefined,
): Promise<{ text: string } | null> {
  const listUrl = `${url}.sha256.sig`;
  const response = await request(listUrl, signal ? { signal } : {}, listUrl);
  if (!response.ok) {
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return null;
    throw new CardError(
      'download-failed',
      `The server refused the signed list ${listUrl} (HTTP ${response.status}).`,
    );
  }
  const text = await response.text();
  if (text.length > MAX_SIDECAR_BYTES) {
    throw new CardError(
      'source-checksum-malformed',
      `${listUrl} is far too large to be a signed checksum list.`,
    );
  }
  return { text };
}

async function remoteSidecar(
  url: string,
  name: string,
  signal: AbortSignal | undefined,
): Promise<ImageSource['expected']> {
  for (const algo of ['sha256', 'sha1'] as const satisfies DigestAlgorithm[]) {
    const sidecarUrl = `${url}.${algo}`;
    const response = await request(sidecarUrl, signal ? { signal } : {}, sidecarUrl);
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new CardError(
        'download-failed',
        `The server refused the checksum file ${sidecarUrl} (HTTP ${response.status}).`,
      );
    }
    const text = await response.text();
    if (text.length > MAX_SIDECAR_BYTES) {
      throw new CardError(
        'source-checksum-malformed',
        `${sidecarUrl} is far too large to be a checksum file.`,
      );
    }
    return expectedFromSidecar(text, name, algo, sidecarFileName(name, algo));
  }
  return null;
}

async function* download(
  url: string,
  name: string,
  size: number,
  options: UrlSourceOptions,
): AsyncGenerator<Uint8Array> {
  const { signal } = options;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const retryDelay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  let done = 0;
  let failures = 0;
  let lastProblem = '';
  while (done < size) {
    if (failures > retries) {
      throw new CardError(
        'download-incomplete',
        `The download of ${name} kept stopping at ${done} of ${size} bytes; nothing was added. Try again later or download the file first.`,
        { detail: lastProblem },
      );
    }
    if (failures > 0) await delay(retryDelay * failures, signal);
    const headers: Record<string, string> = done > 0 ? { Range: `bytes=${done}-` } : {};
    let response: Response;
    try {
      response = await fetch(url, signal ? { headers, signal } : { headers });
    } catch (error) {
      if (signal?.aborted) throw error;
      failures++;
      lastProblem = describe(error);
      continue;
    }
    // Bytes of this response to drop: a server that ignored our range starts again from byte 0.
    let skip = 0;
    if (response.status === 206 && done > 0) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== done) {
        await response.body?.cancel();
        throw new CardError(
          'download-failed',
          `The server answered ${url} with the wrong part of the file.`,
          {
            detail: `asked from ${done}, got ${response.headers.get('content-range')}`,
          },
        );
      }
    } else if (response.status === 200) {
      skip = done;
      const length = response.headers.get('content-length');
      if (length !== null && Number(length) !== size) {
        await response.body?.cancel();
        throw new CardError(
          'download-failed',
          `${url} changed on the server during the download (${length} bytes now, ${size} before). Try again.`,
        );
      }
    } else {
      await response.body?.cancel();
      if (response.status >= 500) {
        failures++;
        lastProblem = `HTTP ${response.status}`;
        continue;
      }
      throw new CardError('download-failed', `The server refused ${url} (HTTP ${response.status}).`);
    }
    const before = done;
    try {
      for await (const received of (response.body ?? []) as AsyncIterable<Uint8Array>) {
        let chunk = received;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        if (done + chunk.length > size) {
          throw new CardError(
            'download-incomplete',
            `${url} sent more than the ${size} bytes it announced; the download was refused.`,
          );
        }
        done += chunk.length;
        yield chunk;
      }
    } catch (error) {
      if (error instanceof CardError || signal?.aborted) throw error;
      lastProblem = describe(error);
    }
    if (done < size) {
      failures = done > before ? 1 : failures + 1;
      if (!lastProblem) lastProblem = `connection closed at byte ${done}`;
    }
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

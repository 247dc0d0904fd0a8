import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readSecretKey, signImages } from '../../core/signing/index.js';
import { UsageError } from '../output.js';
import { asUsage, type Command } from './support.js';

export const sign: Command = {
  name: 'sign',
  usage: 'sign <key.sec> <image>…',
  summary:
    'sign images for cards that trust your key: writes <image>.sha256.sig beside each (signify format)',
  async run(args, out) {
    const { positionals } = asUsage(() => parseArgs({ args, allowPositionals: true, options: {} }));
    const [secret, ...images] = positionals;
    if (!secret || images.length === 0) throw new UsageError(`usage: astcard ${sign.usage}`);
    const text = await readFile(secret, 'utf8').catch(() => {
      throw new UsageError(`Cannot read the secret key ${secret}.`);
    });
    const key = readSecretKey(text);
    const signed = await signImages(key, images);
    out.result({ keyNumber: key.keyNumber, signed }, () =>
      signed.map((entry) => `Signed ${entry.image} with key ${key.keyNumber}: ${entry.list}`),
    );
  },
};

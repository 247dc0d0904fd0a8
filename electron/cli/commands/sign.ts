import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readSecretKey, signImages } from '../../core/signing/index.js';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command } from './support.js';

export const sign: Command = {
  ...ABOUT.sign,
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

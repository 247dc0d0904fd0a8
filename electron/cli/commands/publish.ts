import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { publishImages } from '../../core/card/publish.js';
import { resolveImageSources } from '../../core/card/sources.js';
import { UsageError } from '../output.js';
import { asUsage, type Command } from './support.js';

export const publish: Command = {
  name: 'publish',
  usage: 'publish <folder> <image|archive|url>…',
  summary: 'write a folder to serve for network boot: images, their .sha1 files and astlinux.index',
  async run(args, out) {
    const { positionals } = asUsage(() => parseArgs({ args, allowPositionals: true, options: {} }));
    const [folder, ...wheres] = positionals;
    if (!folder || wheres.length === 0) throw new UsageError(`usage: astcard ${publish.usage}`);
    const sources = await resolveImageSources(wheres);
    const result = await publishImages(folder, sources);
    const served = basename(resolve(folder)) || 'astlinux';
    out.result(result, () => [
      ...result.published.map((name) => `Published ${name}.`),
      `${folder}/astlinux.index lists ${result.index.map((entry) => entry.name).join(', ')}.`,
      `Serve this folder over HTTP, FTP, TFTP or NFS and point cards at it: astcard source set <card> http://<server>/${served}/`,
    ]);
  },
};

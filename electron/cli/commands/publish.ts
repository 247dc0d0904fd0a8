import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CardError } from '../../core/card/card-error.js';
import { publishImages } from '../../core/card/publish.js';
import { isReleaseArchive, isReleaseRun } from '../../core/card/release-source.js';
import { resolveImageSources } from '../../core/card/sources.js';
import { UsageError } from '../output.js';
import { ABOUT } from './about.js';
import { asUsage, type Command } from './support.js';

export const publish: Command = {
  ...ABOUT.publish,
  async run(args, out) {
    const { positionals } = asUsage(() => parseArgs({ args, allowPositionals: true, options: {} }));
    const [folder, ...wheres] = positionals;
    if (!folder || wheres.length === 0) throw new UsageError(`usage: astcard ${publish.usage}`);
    const release = wheres.find((where) => isReleaseArchive(where) || isReleaseRun(where));
    if (release) {
      // AstLinux's own initrd mounts os/<release>.run from partition 1 of the card it started from: a
      // release fetched over the network would be found by no one. So publishing one is refused, saying why.
      throw new CardError(
        'invalid-option',
        `${basename(release)} is a real AstLinux release, and those cannot boot over the network: AstLinux's own start-up looks for the release on the card (partition 1, os/). Put it on the card instead (astcard add <card> ${basename(release)}). Network boot serves AstLinux-X.Y.Z.img images. Nothing was written.`,
      );
    }
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

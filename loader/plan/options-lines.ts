/**
 * The loader options as the init reads them, one `key value` line each. Its own module so that the first
 * mujs start of every boot, which only reads the options, compiles a small bundle (options-main.ts) rather
 * than the whole boot plan; `plan options` prints the same lines from the same function.
 */
import { parseLoaderOptions } from '../../shared/loader-config.js';

export function optionLines(cmdline: string): string[] {
  const { options, problems } = parseLoaderOptions(cmdline);
  const lines: string[] = [];
  if (options.pin !== null) lines.push(`pin ${options.pin}`);
  for (const source of options.sources) lines.push(`source ${source}`);
  if (options.ip !== null) lines.push(`ip ${options.ip}`);
  if (options.keydisk !== null) lines.push(`keydisk ${options.keydisk}`);
  if (options.card !== null) lines.push(`card ${options.card}`);
  if (options.signed !== null) lines.push(`signed ${options.signed}`);
  lines.push(`rescue ${options.rescue ? 1 : 0}`);
  lines.push(`onfail ${options.onfail}`);
  lines.push(`debug ${options.debug ? 1 : 0}`);
  lines.push(`wait ${options.wait}`);
  for (const device of options.console) lines.push(`console ${device}`);
  for (const problem of problems) lines.push(`problem ${problem}`);
  return lines;
}

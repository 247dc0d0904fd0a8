#!/usr/bin/env node
/** The `astcard` command line: prepare and inspect AstLinux cards. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { createOutput, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './output.js';

/**
 * The version in the checkout's (or the installed package's) package.json: one place says it. The assets
 * module that knows where that is loads only here, so `--help` and a command's start do without it.
 */
async function version(): Promise<string> {
  const { defaultAssetsDir } = await import('../core/card/assets.js');
  const manifest = join(defaultAssetsDir(), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** One command's help: what it does and how to call it. */
function commandHelp(command: CommandEntry): string {
  return [`astcard ${command.name} — ${command.summary}`, '', `usage: astcard ${command.usage}`].join('\n');
}

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'astcard — prepare, check and upgrade AstLinux cards',
    '',
    'usage: astcard <command> [options]',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Every command takes --json (one JSON document on stdout, progress on stderr) and --verbose.',
    'Exit codes: 0 done, 1 the operation failed, 2 the command line was wrong.',
    ...COMMANDS.map((command) => `\n  astcard ${command.usage}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const args = argv.filter((arg) => arg !== '--json' && arg !== '--verbose');
  const out = createOutput({ json, verbose });
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version') {
    process.stdout.write(`astcard ${await version()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return EXIT_OK;
  }
  try {
    if (!command) throw new UsageError(`"${name}" is not an astcard command; see astcard --help.`);
    await (await command.load()).run(rest, out);
    return out.failed ? EXIT_FAILED : EXIT_OK;
  } catch (error) {
    return out.fail(error);
  }
}

// `astcard inspect card.img | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));

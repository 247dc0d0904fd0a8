export const CLI_DIR: string;
/** The bundled `astcard` entry: run it with node, as the installed bin does. */
export const ASTCARD_CLI: string;
export function buildCli(): Promise<void>;

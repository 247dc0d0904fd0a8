// The few globals Debian's mujs (1.3) gives a script; nothing else from the host exists.
declare const scriptArgs: string[];
/** The whole file as a string (UTF-8 decoded); throws when it cannot be opened. */
declare function read(path: string): string;
/** Writes its arguments, space-separated, and a newline to stdout. */
declare function print(...values: unknown[]): void;
declare function quit(code: number): never;
/** Set by scripts/build-shared-es5.mjs from package.json. */
declare const ASTCARD_LOADER_VERSION: string | undefined;
/** The next line of stdin without its newline; null at the end of input. */
declare function readline(): string | null;

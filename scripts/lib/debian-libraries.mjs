// Finds the shared libraries a dynamically linked binary from a Debian package needs, taking them from other
// unpacked Debian packages (never from the host), so the initramfs carries exactly the versions it lists.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Thrown when a binary needs a library none of the unpacked packages provide. */
export class MissingLibraryError extends Error {
  /** @param {'library-not-found'} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'MissingLibraryError';
    this.code = code;
  }
}

const LIBRARY_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib', 'usr/lib'];

/**
 * Resolves `binary`'s libraries (recursively, through ldd) against the package roots.
 * @param {string} binary
 * @param {{ name: string, root: string }[]} packages unpacked library packages (libc6 must be among them)
 * @returns {{ soname: string, file: string, package: string }[]} `file` is the real file (symlinks followed)
 */
export function sharedLibrariesOf(binary, packages) {
  const dirs = packages.flatMap((pkg) => LIBRARY_DIRS.map((dir) => join(pkg.root, dir))).filter(existsSync);
  const output = execFileSync('ldd', [binary], {
    encoding: 'utf8',
    env: { ...process.env, LD_LIBRARY_PATH: dirs.join(':') },
  });
  const ownerOf = (file) => packages.find((pkg) => file.startsWith(`${pkg.root}/`))?.name;
  const found = [];
  for (const line of output.split('\n')) {
    const arrow = /^\s*(\S+) => (\S+)/.exec(line);
    const interpreter = /^\s*(\/\S*ld-linux[^\s]*)\s/.exec(line);
    if (line.includes('linux-vdso')) continue;
    if (arrow) {
      const [, soname, path] = arrow;
      const owner = path === 'not' ? undefined : ownerOf(path);
      if (!owner)
        throw new MissingLibraryError(
          'library-not-found',
          `${basename(binary)} needs ${soname}, which no fetched package provides`,
        );
      found.push({ soname, file: realpathSync(path), package: owner });
    } else if (interpreter) {
      // ldd prints the host's interpreter path; take the same file from the libc6 package instead.
      const soname = basename(interpreter[1]);
      const libc = packages.find((pkg) => pkg.name === 'libc6');
      const file = libc && join(libc.root, 'lib/x86_64-linux-gnu', soname);
      if (!file || !existsSync(file))
        throw new MissingLibraryError('library-not-found', `no ${soname} in the libc6 package`);
      found.push({ soname, file: realpathSync(file), package: 'libc6' });
    }
  }
  return found;
}

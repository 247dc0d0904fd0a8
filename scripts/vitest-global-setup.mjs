// Before any test: the tests run the astcard CLI as users do, from its bundle, so it is built from the
// sources being tested (esbuild, well under a second).
import { buildCli } from './lib/cli-bundle.mjs';

export default async function setup() {
  await buildCli();
}

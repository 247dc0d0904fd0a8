#!/usr/bin/env node
// `npm run build:cli`: bundles the astcard command line into dist/cli/ (see lib/cli-bundle.mjs).
import { buildCli } from './lib/cli-bundle.mjs';

await buildCli();

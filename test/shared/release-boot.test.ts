// How the loader starts a release, from its .run.conf: the vectors, and the plan with releases in os/.
import { describe, it } from 'vitest';
import { expectVector, vectorRows } from './vector-table.js';

describe.each(['release-recipe.json', 'boot-plan-releases.json'])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

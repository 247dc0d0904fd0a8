// biome-ignore-all lint/correctness/noInnerDeclarations: ES5 has only function scope; loops declare with var
// biome-ignore-all lint/correctness/noUnusedVariables: ASTCARD_LIBRARY_ONLY is read by the bundle
// biome-ignore-all lint/style/useTemplate: ES5, run by mujs
/*
 * mujs side of test/shared/mujs.test.ts:
 *   mujs mujs-harness.js <astcard-plan.js> <vector-runner.cjs> <vectors.json>...
 * Loads the ES5 bundle as a library and prints one JSON object: vector file → results.
 */
var ASTCARD_LIBRARY_ONLY = true;
load(scriptArgs[0]);
load(scriptArgs[1]);
var results = {};
for (var i = 2; i < scriptArgs.length; i++) {
  results[scriptArgs[i]] = runVectors(astcard.shared, JSON.parse(read(scriptArgs[i])));
}
print(JSON.stringify(results));

// Prints what it was started with, for the elevated-command-line test.
process.stdout.write(
  JSON.stringify({ argv: process.argv.slice(2), flag: process.env.ELECTRON_RUN_AS_NODE ?? null }),
);

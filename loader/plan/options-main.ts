// The options bundle's entry under mujs (`mujs astcard-options.js <cmdlineFile>`): the lines `plan options`
// prints, from a bundle a fraction of the plan's size, since mujs compiles the whole file at every start.
import { optionLines } from './options-lines.js';

const USAGE_EXIT = 2;
const INTERNAL_EXIT = 3;

let code = 0;
try {
  if (scriptArgs.length !== 1) {
    print('usage error: options <cmdlineFile>');
    code = USAGE_EXIT;
  } else {
    let text: string | null = null;
    try {
      text = read(scriptArgs[0] as string);
    } catch {
      print(`usage error: cannot read "${scriptArgs[0]}"`);
      code = USAGE_EXIT;
    }
    if (text !== null) for (const line of optionLines(text)) print(line);
  }
} catch (error) {
  // A bug, not a card state: say so on one line and use an exit code no command uses otherwise.
  print(`error internal: ${error instanceof Error ? error.message : String(error)}`);
  code = INTERNAL_EXIT;
}
quit(code);

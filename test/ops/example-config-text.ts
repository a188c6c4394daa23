// rdp-medic.example.yaml as the tests read it: the file, and the file with its switched-off options
// switched on (every option it documents).
import { fileURLToPath } from 'node:url';

export const EXAMPLE = fileURLToPath(new URL('../../rdp-medic.example.yaml', import.meta.url));

/**
 * The example with its switched-off options switched on: a comment line whose text (after "# ") is
 * "key: ..." or "- ..." at YAML indentation is an option; prose never starts that way.
 */
export function uncommented(source: string): string {
  return source.replace(/^(\s*)# ( *(?:- )?[a-z][A-Za-z0-9_-]*:(?: |$).*| *- .*)$/gm, '$1$2');
}

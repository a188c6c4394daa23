// Shared by the host tests: parse PowerShell with tree-sitter-powershell (PowerShell cannot run here).
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import type { Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parserPromise: Promise<Parser> | undefined;

async function createParser(): Promise<Parser> {
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function powershellParser(): Promise<Parser> {
  parserPromise ??= createParser();
  return parserPromise;
}

/** Every ERROR or MISSING node as "line:column kind text", 1-based like an editor. */
export async function syntaxProblems(source: string): Promise<string[]> {
  const parser = await powershellParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const problems: string[] = [];
  const visit = (node: Node): void => {
    if (node.isError || node.isMissing) {
      const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      const text = node.text.slice(0, 60).replace(/\s+/g, ' ');
      problems.push(`${where} ${node.isMissing ? `MISSING ${node.type}` : 'ERROR'} ${JSON.stringify(text)}`);
    }
    if (!node.hasError && !node.isMissing) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  tree.delete();
  return problems;
}

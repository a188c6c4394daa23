// A small PowerShell lexer for the tests: blanks out strings, here-strings and comments so that
// syntax newer than Windows PowerShell 5.1 can be searched for in code only.

/** The source with every string and comment replaced by spaces (newlines kept, so lines still count). */
export function codeOnly(source: string): string {
  const out: string[] = [];
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const hereOpen = /^@(['"])\r?\n/.exec(rest);
    if (hereOpen) {
      const close = new RegExp(`\\n${hereOpen[1]}@`).exec(rest.slice(hereOpen[0].length - 1));
      const len = close ? hereOpen[0].length - 1 + close.index + close[0].length : rest.length;
      out.push(blank(rest.slice(0, len)));
      i += len;
      continue;
    }
    const c = source[i] ?? '';
    if (rest.startsWith('<#')) {
      const end = rest.indexOf('#>');
      const len = end < 0 ? rest.length : end + 2;
      out.push(blank(rest.slice(0, len)));
      i += len;
    } else if (c === '#') {
      const end = rest.indexOf('\n');
      const len = end < 0 ? rest.length : end;
      out.push(blank(rest.slice(0, len)));
      i += len;
    } else if (c === "'") {
      let j = 1;
      while (j < rest.length && !(rest[j] === "'" && rest[j + 1] !== "'")) j += rest[j] === "'" ? 2 : 1;
      out.push(blank(rest.slice(0, j + 1)));
      i += j + 1;
    } else if (c === '"') {
      let j = 1;
      while (j < rest.length && rest[j] !== '"') j += rest[j] === '`' ? 2 : 1;
      out.push(blank(rest.slice(0, j + 1)));
      i += j + 1;
    } else if (c === '`') {
      out.push(rest.slice(0, 2));
      i += 2;
    } else {
      out.push(c);
      i += 1;
    }
  }
  return out.join('');
}

const PS7_PATTERNS: [RegExp, string][] = [
  [/\?\?=?/, 'null-coalescing ?? / ??='],
  [/&&/, 'pipeline chain &&'],
  [/\|\|/, 'pipeline chain ||'],
  [/-Parallel\b/i, 'ForEach-Object -Parallel'],
  [/(^|[\s;{}])clean\s*\{/i, 'clean block'],
  [/[\w)\]]\?\.[A-Za-z_]/, 'null-conditional ?.'],
  [/[\w)\]'"]\s+\?\s+[^{\s|][^|{]*?\s:\s/, 'ternary ? :'],
  [/-(AsHashtable|EnumsAsStrings|AsByteStream|SkipCertificateCheck|NoEnumerate:\$|AsArray)\b/i, 'PowerShell 6+ parameter'],
  [/\b(Join-String|Test-Json|Get-Error|ConvertFrom-Markdown)\b/i, 'PowerShell 6+ cmdlet'],
  [/\$Is(Windows|Linux|MacOS|CoreCLR)\b/i, 'PowerShell 6+ automatic variable'],
];

/** "line: what" for each PowerShell 7-only construct in code (not in strings or comments). */
export function ps7Findings(source: string): string[] {
  const findings: string[] = [];
  codeOnly(source)
    .split('\n')
    .forEach((line, n) => {
      for (const [re, what] of PS7_PATTERNS) if (re.test(line)) findings.push(`${n + 1}: ${what}: ${line.trim()}`);
    });
  return findings;
}

// Word wrap for terminal text, so long explanations stay readable under their indent. Words longer
// than the line (thumbprints, URLs) are left whole rather than broken; a "• " item hangs under its text.

export function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  const room = Math.max(20, width - indent.length);
  for (const para of text.split('\n')) {
    const hang = para.startsWith('• ') ? '  ' : '';
    let line = '';
    for (const word of para.split(/ +/)) {
      if (line && line.length + 1 + word.length > room) {
        out.push(indent + line);
        line = hang + word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push((indent + line).trimEnd());
  }
  return out;
}

// Console output encoding per WINRS_CODEPAGE. Windows writes console bytes in the shell's code page:
// 65001 gives UTF-8; 437 (the en-US OEM default, and our fallback for any other code page) gives
// CP437, encoded here with the full 128-entry table for 0x80-0xFF; characters CP437 cannot
// represent become '?', as WideCharToMultiByte's default character does.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const TO_CP437 = new Map<number, number>([...CP437_HIGH].map((ch, i) => [ch.codePointAt(0) as number, 0x80 + i]));

export type Codepage = 65001 | 437;

/** The code page a shell uses: 65001 if asked for, otherwise 437. */
export function shellCodepage(option: string | undefined): Codepage {
  return option?.trim() === '65001' ? 65001 : 437;
}

export function encodeText(text: string, cp: Codepage): Buffer {
  if (cp === 65001) return Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    out.push(c < 0x80 ? c : (TO_CP437.get(c) ?? 0x3f));
  }
  return Buffer.from(out);
}

/** Process output is UTF-8 (the LabProcess contract); re-encode it for the shell's code page. */
export function transcodeUtf8(bytes: Buffer, cp: Codepage): Buffer {
  return cp === 65001 ? bytes : encodeText(bytes.toString('utf8'), cp);
}

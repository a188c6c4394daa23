// Card sections as embeds, in the card's order and within Discord's limits: text and code go into
// descriptions, fields into embed fields; text after fields starts a new embed (same colour, so
// it reads as one card). What does not fit in one message is cut with a note saying so; the
// `tail` (button warnings) is reserved first so it is never the part that gets cut.
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { CardSection } from '../../chat/model.ts';
import { LIMITS } from './limits.ts';
import { chunk, clip, cutWithNote, escapeCode, escapeText, fence, FENCE_CHARS } from './render-text.ts';

type Piece = { kind: 'text'; text: string } | { kind: 'code'; code: string; note?: string } | { kind: 'field'; field: APIEmbedField };

const BLANK = '\u200b';
const JOIN = '\n\n';
/** Budget kept back for the "N more parts not shown" note. */
const NOTE_RESERVE = 160;
/** The tail (warnings) is capped so a card with many confirm buttons still has room for its body. */
export const TAIL_MAX = 2000;
export const FOOTER_MAX = 1024;

/** Short fields sit side by side (like a table row); long ones take the full width. */
const INLINE_MAX = 60;

function pieces(sections: CardSection[]): Piece[] {
  return sections.flatMap((s): Piece[] => {
    if (s.kind === 'text') return s.text.trim() ? chunk(escapeText(s.text), LIMITS.description).map((text) => ({ kind: 'text', text })) : [];
    if (s.kind === 'code') return chunk(escapeCode(s.text), LIMITS.description - FENCE_CHARS).map((code) => ({ kind: 'code', code }));
    const inline = s.fields.length > 1 && s.fields.every((f) => f.value.length <= INLINE_MAX);
    return s.fields.map((f) => ({
      kind: 'field',
      field: {
        name: clip(escapeText(f.label.trim()), LIMITS.fieldName) || BLANK,
        value: cutWithNote(escapeText(f.value.trim()), LIMITS.fieldValue) || BLANK,
        inline,
      },
    }));
  });
}

const sizeOf = (p: Piece): number => (p.kind === 'text' ? p.text.length : p.kind === 'code' ? p.code.length + FENCE_CHARS : p.field.name.length + p.field.value.length);

/** The piece cut to `room` characters with a note, or null when too little room is left to be useful. */
function cutPiece(p: Piece, room: number): Piece | null {
  if (room < 200 || p.kind === 'field') return null;
  if (p.kind === 'text') return { kind: 'text', text: cutWithNote(p.text, room) };
  const cut = cutWithNote(p.code, room - FENCE_CHARS);
  // The note belongs outside the fence, so it reads as ours and not as the code's.
  const at = cut.lastIndexOf('\n… (');
  return at >= 0 ? { kind: 'code', code: cut.slice(0, at), note: cut.slice(at + 1) } : { kind: 'code', code: cut };
}

export interface EmbedInput {
  title: string;
  color: number;
  sections: CardSection[];
  footer?: string;
  /** Lines that must be shown (button warnings), after the body. */
  tail: string[];
}

/** Characters Discord counts toward the 6000 per message. */
export function embedChars(embeds: APIEmbed[]): number {
  return embeds.reduce(
    (n, e) =>
      n +
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.author?.name.length ?? 0) +
      (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}

export function renderEmbeds(input: EmbedInput): APIEmbed[] {
  const title = clip(escapeText(input.title.trim()), LIMITS.title) || BLANK;
  const footer = input.footer ? clip(input.footer, FOOTER_MAX) : undefined;
  const tail = clip(input.tail.join(JOIN), TAIL_MAX);
  let remaining = LIMITS.embedTotal - title.length - (footer?.length ?? 0) - tail.length - JOIN.length - NOTE_RESERVE;

  const embeds: APIEmbed[] = [{ title, color: input.color }];
  let cur = embeds[0]!;
  // One embed stays free for the tail and the note.
  const open = (): boolean => {
    if (embeds.length >= LIMITS.embedsPerMessage - 1) return false;
    cur = { color: input.color };
    embeds.push(cur);
    return true;
  };
  const addText = (text: string): boolean => {
    const joined = cur.description ? cur.description.length + JOIN.length + text.length : text.length;
    if (cur.fields?.length || joined > LIMITS.description) {
      if (!open()) return false;
      cur.description = text;
      return true;
    }
    cur.description = cur.description ? `${cur.description}${JOIN}${text}` : text;
    return true;
  };
  const place = (p: Piece): boolean => {
    if (p.kind === 'field') {
      if ((cur.fields?.length ?? 0) >= LIMITS.fields && !open()) return false;
      (cur.fields ??= []).push(p.field);
      return true;
    }
    return addText(p.kind === 'text' ? p.text : p.note ? `${fence(p.code)}\n${p.note}` : fence(p.code));
  };

  const all = pieces(input.sections);
  let shown = 0;
  for (const p of all) {
    const size = sizeOf(p) + JOIN.length;
    if (size <= remaining) {
      if (!place(p)) break;
      remaining -= size;
      shown++;
      continue;
    }
    const cut = cutPiece(p, remaining - JOIN.length - 40);
    if (cut && place(cut)) shown++;
    break;
  }
  const omitted = all.length - shown;
  const note = omitted > 0 ? `… ${omitted} more part${omitted === 1 ? '' : 's'} of this card not shown: a Discord message holds at most ${LIMITS.embedTotal} characters.` : '';
  const end = [tail, note].filter(Boolean).join(JOIN);
  if (end) {
    const fits = !cur.fields?.length && (cur.description?.length ?? 0) + JOIN.length + end.length <= LIMITS.description;
    if (fits) cur.description = cur.description ? `${cur.description}${JOIN}${end}` : end;
    else embeds.push((cur = { color: input.color, description: end }));
  }
  if (footer) cur.footer = { text: footer };
  return embeds;
}

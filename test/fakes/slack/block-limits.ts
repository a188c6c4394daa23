// Block Kit limits as Slack enforces them, written independently of the renderer: the fake answers
// invalid_blocks for a message past them, and the rendering tests assert none are broken.
type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const textOf = (o: unknown): string => str((o as Json | undefined)?.text);

/** Every way `blocks` breaks Slack's limits; empty when Slack would accept it. */
export function blockLimitViolations(blocks: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  if (blocks.length > 50) out.push(`${blocks.length} blocks (max 50)`);
  blocks.forEach((raw, i) => {
    const b = raw as Json;
    const at = `blocks[${i}] (${str(b.type)})`;
    switch (b.type) {
      case 'header': {
        const t = textOf(b.text);
        if ((b.text as Json)?.type !== 'plain_text') out.push(`${at}: header text must be plain_text`);
        if (t.length < 1 || t.length > 150) out.push(`${at}: header text ${t.length} chars (1-150)`);
        break;
      }
      case 'section': {
        const t = b.text === undefined ? null : textOf(b.text);
        const fields = (b.fields as unknown[] | undefined) ?? null;
        if (t === null && !fields) out.push(`${at}: needs text or fields`);
        if (t !== null && (t.length < 1 || t.length > 3000)) out.push(`${at}: text ${t.length} chars (1-3000)`);
        if (fields) {
          if (fields.length > 10) out.push(`${at}: ${fields.length} fields (max 10)`);
          fields.forEach((f, j) => {
            const ft = textOf(f);
            if (ft.length < 1 || ft.length > 2000) out.push(`${at}.fields[${j}]: ${ft.length} chars (1-2000)`);
          });
        }
        break;
      }
      case 'actions': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length < 1 || els.length > 25) out.push(`${at}: ${els.length} elements (1-25)`);
        const ids = new Set<string>();
        els.forEach((e, j) => {
          const et = `${at}.elements[${j}]`;
          const label = textOf(e.text);
          if (label.length < 1 || label.length > 75) out.push(`${et}: button text ${label.length} chars (1-75)`);
          const id = str(e.action_id);
          if (id.length < 1 || id.length > 255) out.push(`${et}: action_id ${id.length} chars (1-255)`);
          if (ids.has(id)) out.push(`${et}: duplicate action_id ${id}`);
          ids.add(id);
          if (e.value !== undefined && str(e.value).length > 2000) out.push(`${et}: value too long`);
          if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') out.push(`${et}: bad style`);
          const c = e.confirm as Json | undefined;
          if (c) {
            const lim: [string, number][] = [['title', 100], ['text', 300], ['confirm', 30], ['deny', 30]];
            for (const [k, max] of lim) {
              const n = textOf(c[k]).length;
              if (n < 1 || n > max) out.push(`${et}.confirm.${k}: ${n} chars (1-${max})`);
            }
          }
        });
        break;
      }
      case 'context': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length < 1 || els.length > 10) out.push(`${at}: ${els.length} elements (1-10)`);
        els.forEach((e, j) => {
          const n = textOf(e).length;
          if (n < 1 || n > 3000) out.push(`${at}.elements[${j}]: ${n} chars (1-3000)`);
        });
        break;
      }
      case 'divider':
        break;
      default:
        out.push(`${at}: unexpected block type`);
    }
  });
  return out;
}

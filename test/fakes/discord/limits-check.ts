// The fake enforces Discord's message limits the way Discord does (400, code 50035 "Invalid Form
// Body"), so a renderer that oversteps one fails a test instead of failing in production.
export interface LimitProblem {
  path: string;
  message: string;
}

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
  author?: { name: string };
}

interface Button {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
}

export function messageProblems(body: unknown): LimitProblem[] {
  const b = (body ?? {}) as { content?: unknown; embeds?: unknown; components?: unknown; nonce?: unknown; allowed_mentions?: unknown };
  const out: LimitProblem[] = [];
  const bad = (path: string, message: string): void => void out.push({ path, message });
  if (typeof b.content === 'string' && b.content.length > 2000) bad('content', 'Must be 2000 or fewer in length.');
  if (typeof b.nonce === 'string' && b.nonce.length > 25) bad('nonce', 'Must be 25 or fewer in length.');
  const embeds = (Array.isArray(b.embeds) ? b.embeds : []) as Embed[];
  if (embeds.length > 10) bad('embeds', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((e, i) => {
    const len = (s: string | undefined): number => s?.length ?? 0;
    if (len(e.title) > 256) bad(`embeds.${i}.title`, 'Must be 256 or fewer in length.');
    if (len(e.description) > 4096) bad(`embeds.${i}.description`, 'Must be 4096 or fewer in length.');
    if (len(e.footer?.text) > 2048) bad(`embeds.${i}.footer.text`, 'Must be 2048 or fewer in length.');
    const fields = e.fields ?? [];
    if (fields.length > 25) bad(`embeds.${i}.fields`, 'Must be 25 or fewer in length.');
    fields.forEach((f, j) => {
      if (!f.name || f.name.length > 256) bad(`embeds.${i}.fields.${j}.name`, 'Must be between 1 and 256 in length.');
      if (!f.value || f.value.length > 1024) bad(`embeds.${i}.fields.${j}.value`, 'Must be between 1 and 1024 in length.');
      total += len(f.name) + len(f.value);
    });
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  });
  if (total > 6000) bad('embeds', `Embed size exceeds maximum size of 6000 (${total})`);
  const rows = (Array.isArray(b.components) ? b.components : []) as { type: number; components?: Button[] }[];
  if (rows.length > 5) bad('components', 'Must be 5 or fewer in length.');
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if (row.type !== 1) bad(`components.${i}.type`, 'Top-level components must be action rows.');
    const buttons = row.components ?? [];
    if (buttons.length < 1 || buttons.length > 5) bad(`components.${i}.components`, 'Must be between 1 and 5 in length.');
    buttons.forEach((btn, j) => {
      const p = `components.${i}.components.${j}`;
      if (btn.type !== 2) bad(`${p}.type`, 'Expected a button.');
      if (btn.label !== undefined && (btn.label.length < 1 || btn.label.length > 80)) bad(`${p}.label`, 'Must be between 1 and 80 in length.');
      if (btn.style !== 5 && (!btn.custom_id || btn.custom_id.length > 100)) bad(`${p}.custom_id`, 'Must be between 1 and 100 in length.');
      if (btn.custom_id && ids.has(btn.custom_id)) bad(`${p}.custom_id`, 'Component custom id cannot be duplicated');
      if (btn.custom_id) ids.add(btn.custom_id);
      if (btn.style === undefined || btn.style < 1 || btn.style > 5) bad(`${p}.style`, 'Value must be one of (1, 2, 3, 4, 5).');
    });
  });
  return out;
}

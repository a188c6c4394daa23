// Card actions as Discord buttons: rows of 5, at most 5 rows, custom_id = the card's action id (marked
// when it needs a second press: press-twice.ts). Colours as on Slack: primary green (Success), danger
// red, default grey. A button Discord cannot carry (id over 100 characters, a repeated id, more than
// 25) is left out and counted, so the card can say so instead of failing the whole message.
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId } from 'discord.js';
import type { CardAction } from '../../chat/model.ts';
import { LIMITS } from './limits.ts';
import { pressTwiceId } from './press-twice.ts';
import { clip } from './render-text.ts';

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

const STYLE: Record<CardAction['style'], ButtonStyle.Success | ButtonStyle.Danger | ButtonStyle.Secondary> = {
  primary: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

export interface RenderedButtons {
  rows: ButtonRow[];
  /** Actions that could not become buttons (with why), for a note on the card. */
  dropped: { action: CardAction; why: string }[];
}

export function renderButtons(actions: CardAction[], opts: { disabled?: boolean } = {}): RenderedButtons {
  const dropped: RenderedButtons['dropped'] = [];
  const seen = new Set<string>();
  const buttons: APIButtonComponentWithCustomId[] = [];
  for (const action of actions) {
    const customId = action.confirm?.pressTwice ? pressTwiceId(action.id) : action.id;
    if (action.id.length === 0 || customId.length > LIMITS.customId) dropped.push({ action, why: `its id is not 1-${LIMITS.customId} characters` });
    else if (seen.has(action.id)) dropped.push({ action, why: 'another button has the same id' });
    else if (buttons.length >= LIMITS.buttonsPerRow * LIMITS.rows) dropped.push({ action, why: `a message holds at most ${LIMITS.buttonsPerRow * LIMITS.rows} buttons` });
    else {
      seen.add(action.id);
      buttons.push({
        type: ComponentType.Button,
        custom_id: customId,
        label: clip(action.label.trim(), LIMITS.label) || action.id.slice(0, LIMITS.label),
        style: STYLE[action.style],
        ...(opts.disabled ? { disabled: true } : {}),
      });
    }
  }
  const rows: ButtonRow[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return { rows, dropped };
}

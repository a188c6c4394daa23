// What a fix's risk class means for the people who click: button style, whether a confirm dialog
// is needed, and the plain-words lead of that dialog. Impact sentences come first in every dialog
// because some platforms (Slack: 300 characters) cut a long confirm text.
import type { FixRisk } from '../rdp/types.ts';
import type { CardAction } from '../chat/model.ts';
import { plural } from './text.ts';

export const RISK_LABEL: Record<FixRisk, string> = { safe: 'safe', disruptive: 'disruptive', 'weakens-security': 'weakens security' };

export function riskStyle(risk: FixRisk): CardAction['style'] {
  return risk === 'safe' ? 'primary' : 'danger';
}

export function needsConfirm(risk: FixRisk): boolean {
  return risk !== 'safe';
}

/** "Weakens security until it reverts itself on the host after 60 minutes." and the like. */
export function securitySentence(risk: FixRisk, weakensSecurity: boolean, timeBox: number | null): string {
  if (risk !== 'weakens-security' && !weakensSecurity) return 'It does not weaken security.';
  return timeBox !== null
    ? `It weakens security until it reverts itself on the host after ${timeBox} minutes.`
    : 'It weakens security until someone undoes it.';
}

/** "It drops 2 RDP sessions: CONTOSO\\bob (session 2, active), …" or the nobody-is-disconnected line. */
export function dropsSentence(drops: readonly string[], disruptive: boolean): string {
  if (drops.length) return `It drops ${plural(drops.length, 'RDP session')}: ${drops.join(', ')}; unsaved work may be lost.`;
  return disruptive ? 'It interrupts Remote Desktop on the host; nobody is connected right now.' : 'Nobody is disconnected.';
}

// What a fix's risk class means for the people who click: button style, whether a confirm dialog
// is needed, and the plain-words lead of that dialog. Impact sentences come first in every dialog
// because some platforms (Slack: 300 characters) cut a long confirm text.
import type { FixRisk } from '../rdp/types.ts';
import type { CardAction } from '../chat/model.ts';
import { plural } from './text.ts';

export const RISK_LABEL: Record<FixRisk, string> = { safe: 'safe', disruptive: 'disruptive', 'weakens-security': 'weakens security' };

/** Only a safe change gets the inviting (green) style; anything riskier is red, with a confirm. */
export function riskStyle(risk: FixRisk): CardAction['style'] {
  return risk === 'safe' ? 'primary' : 'danger';
}

export function needsConfirm(risk: FixRisk): boolean {
  return risk !== 'safe';
}

/**
 * "It opens TCP and UDP 3389 to any address until someone undoes it.", "It weakens security until it
 * reverts itself on the host after 60 minutes." and the like. `exposes`: what the fix opens up
 * (FixProposal / FixImpact), named whenever known: a vaguer sentence would understate it.
 */
export function securitySentence(risk: FixRisk, weakensSecurity: boolean, timeBox: number | null, exposes?: string): string {
  const until = timeBox !== null ? `until it reverts itself on the host after ${timeBox} minutes` : 'until someone undoes it';
  if (exposes) return `It ${exposes} ${until}.`;
  if (risk !== 'weakens-security' && !weakensSecurity) return 'It does not weaken security.';
  return `It weakens security ${until}.`;
}

/** "It drops 2 RDP sessions: CONTOSO\\bob (session 2, active), …" or the nobody-is-disconnected line. */
export function dropsSentence(drops: readonly string[], disruptive: boolean): string {
  if (drops.length) return `It drops ${plural(drops.length, 'RDP session')}: ${drops.join(', ')}; unsaved work may be lost.`;
  return disruptive ? 'It interrupts Remote Desktop on the host; nobody is connected right now.' : 'Nobody is disconnected.';
}

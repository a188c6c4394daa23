// The subset of Block Kit the renderer emits, structurally compatible with @slack/types' KnownBlock
// (the adapter passes these straight to chat.postMessage, so tsc checks the shapes).
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export interface ConfirmDialog {
  title: PlainText;
  text: PlainText;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}
export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}
export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}
export interface ActionsBlock {
  type: 'actions';
  elements: Button[];
}
export interface ContextBlock {
  type: 'context';
  elements: Mrkdwn[];
}
export type SlackBlock = HeaderBlock | SectionBlock | ActionsBlock | ContextBlock;

/** One chat message: blocks plus the notification/fallback text. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

// Slack's Block Kit limits (api.slack.com/reference/block-kit). Past them chat.postMessage answers
// invalid_blocks, so the renderer keeps every message inside them.
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElementText: 3000,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Top-level `text` of chat.postMessage: Slack truncates past 40,000; the fallback stays far shorter. */
  fallbackText: 3000,
} as const;

/** Continuation messages a single card may become, beyond which the rest is cut with a note. */
export const MAX_CARD_PARTS = 5;

// Discord's message limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// and the component docs). The renderer never produces a message beyond these; the fake enforces them.
export const LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  /** Title + description + field names and values + footer + author, over all embeds of a message. */
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  buttonsPerRow: 5,
  rows: 5,
  label: 80,
  customId: 100,
  /** A message nonce is at most 25 characters. */
  nonce: 25,
  /** A thread name is at most 100 characters. */
  threadName: 100,
  /** Autocomplete: at most 25 choices, each name and value at most 100 characters. */
  choices: 25,
  choiceText: 100,
} as const;

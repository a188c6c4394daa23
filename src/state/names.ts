// The three queues (design.md §2): diagnose and fix run in workers; deliver runs where the chat
// adapters live (the bot process), because only they can post.
export const QUEUE_NAMES = { diagnose: 'diagnose', fix: 'fix', deliver: 'deliver' } as const;

/** BullMQ's key prefix under our own: "<prefix>:bull". */
export const bullPrefix = (prefix: string): string => `${prefix}:bull`;

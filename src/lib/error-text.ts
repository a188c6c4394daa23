// The message of anything thrown, for logs and chat (an Error's message, else its string form).
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

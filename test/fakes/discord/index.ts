// The fake Discord for tests: start it, point discord.js's rest.api at fake.apiUrl, drive it.
export { FakeDiscord, FAKE_TOKEN, rateLimited, serverError, discordError, type RestCall, type Failure, type FakeDiscordOptions, type Storm } from './server.ts';
export type { GatewayEvent, GatewayFrame } from './gateway.ts';
export type { StoredInteraction, StoredMessage } from './rest.ts';
export * from './payloads.ts';
export { IDS, snowflake } from './snowflake.ts';
export { messageProblems } from './limits-check.ts';
export { DISCORD_RATE_LIMITS, RateLimiter, type RateLimitTable } from './rate-limits.ts';

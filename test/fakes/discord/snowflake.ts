// Snowflakes like Discord's: milliseconds since the Discord epoch in the top bits, so discord.js
// derives a real creation time (interaction tokens expire 15 minutes after it).
const DISCORD_EPOCH = 1420070400000n;
let counter = 0n;

export function snowflake(at = Date.now()): string {
  counter = (counter + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | counter).toString();
}

/** Fixed ids of the fake's world (guild, channel, roles, bot, users). */
export const IDS = {
  application: '1000000000000000001',
  bot: '1000000000000000001',
  guild: '1000000000000000100',
  channel: '1000000000000000200',
  otherChannel: '1000000000000000201',
  alice: '1000000000000000300',
  bob: '1000000000000000301',
  responderRole: '1000000000000000400',
  oncallRole: '1000000000000000401',
  command: '1000000000000000500',
} as const;

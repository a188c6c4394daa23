// npm run bench -- <name>: runs one benchmark (or all), prints its figures and ends with one JSON line each.
import { benchDiagnose } from './diagnose.ts';
import { benchDiscord } from './discord.ts';
import { benchFleet } from './fleet.ts';
import { benchHostile } from './hostile.ts';
import { benchSlack } from './slack.ts';
import { benchWinrm } from './winrm.ts';

const benches: Record<string, () => Promise<Record<string, unknown>>> = {
  winrm: benchWinrm,
  diagnose: benchDiagnose,
  discord: benchDiscord,
  fleet: benchFleet,
  hostile: benchHostile,
  slack: benchSlack,
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(benches);
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown bench "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  const figures = await bench();
  console.log(JSON.stringify(figures));
}

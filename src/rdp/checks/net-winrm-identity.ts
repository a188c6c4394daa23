// net-winrm-identity (§2): did WinRM reach the machine the inventory names? A safety gate before any fix.
import net from 'node:net';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';

/** Names the inventory knows the host by: its id and the first label of its DNS names (IP literals excluded). */
export function inventoryNames(target: { id: string; address: string; rdpHost: string }): string[] {
  const names = new Set<string>([target.id.toLowerCase()]);
  for (const a of [target.address, target.rdpHost]) {
    if (a && net.isIP(a) === 0) {
      names.add(a.toLowerCase());
      names.add(a.toLowerCase().split('.')[0] ?? '');
    }
  }
  names.delete('');
  return [...names];
}

export const netWinrmIdentity = defineCheck('net-winrm-identity', 'WinRM reached the intended host', 'critical', (input, f) => {
  const got = need(input, { os: ['the host\'s computer name (Win32_ComputerSystem)', (h) => h.os] });
  if (!got.ok) return f.unknown(`Could not confirm which machine WinRM reached: ${got.missing}.`, undefined, got.evidence);
  const computer = got.v.os.computerName;
  const names = inventoryNames(input.target);
  const evidence = { computerName: computer, domain: got.v.os.domain, inventoryNames: names, machineGuid: got.v.os.machineGuid };
  // Lab computer names are the upper-case host id; Windows names are case-insensitive anyway.
  if (names.includes(computer.toLowerCase())) {
    return f.ok(`WinRM reached ${computer}, the host the inventory names ${input.target.id}.`, 'The host-side facts come from the intended machine, so fixes would go to the right place.', evidence);
  }
  return f.warning({
    severity: 'critical',
    summary: `WinRM reached a machine named ${computer}, not ${input.target.id}: the bot may be talking to the wrong host, so do not apply fixes until this is explained.`,
    explanation:
      'The computer name reported over WinRM does not match the inventory. Either the inventory uses a different name for this host (update it), or DNS / TrustedHosts sent WinRM to another machine; in that case every host-side finding describes the wrong machine.',
    evidence,
  });
});

// Orders findings most-likely-root-cause first: problems, then warnings, unknowns, oks. Within a
// verdict, CAUSE_RANK follows rdp-checks.md §0's triage: fundamental causes before the symptoms
// they produce (a stopped service before the missing listener, the firewall before TLS, the
// configuration before what the bot's probe sees). Reasoning for the less obvious places:
// - host-edition first: a Home edition or unfinished setup makes every other finding moot.
// - net-dns-resolution second: with the name pointing at another machine, the probes describe
//   that machine, so its findings cannot be trusted until DNS is right.
// - rdp-enabled → svc-termservice → svc-rdp-dependencies → rdp-logon-modes → listener-port: the
//   switches and services without which nothing listens, before the listener-state symptom.
// - fw-profile-policy before fw-rdp-rules: block-all makes enabling rules pointless; reachability
//   (firewall) before TLS: with cert-expired AND firewall-blocked, open the port first.
// - cert-machinekeys-acl BEFORE cert-rdp-store (adjusted from the brief's list): the catalogue names
//   the MachineKeys ACL as "the documented cause behind 1057/1058/36870", and cert-rdp-store's own
//   remedy sends you to it when the certificate cannot be (re)generated; an unreadable key shows up
//   in both, and the ACL is the deeper cause.
// - sec-*, authz-*, conn-limits after TLS: they only matter once the TLS handshake works.
// - listener-state, net-rdp-probe, net-tcp-reachability are symptoms: last among host causes.
// - net-winrm-identity, latency, NIC, transport, third-party and evt-scan are corroboration.
import type { CheckId, Finding, Verdict } from '../types.ts';

export const CAUSE_RANK: readonly CheckId[] = [
  'host-edition',
  'net-dns-resolution',
  'rdp-enabled',
  'svc-termservice',
  'svc-rdp-dependencies',
  'rdp-logon-modes',
  'listener-port',
  'fw-profile-policy',
  'fw-rdp-rules',
  'cert-machinekeys-acl',
  'cert-rdp-store',
  'cert-binding',
  'tls-schannel-protocols',
  'tls-cipher-fips',
  'sec-layer-nla',
  'sec-credssp-domain',
  'authz-rdp-users',
  'authz-user-rights',
  'authz-listener-acl',
  'conn-limits',
  'listener-throttling',
  'listener-state',
  'net-rdp-probe',
  'net-tcp-reachability',
  'net-winrm-identity',
  'net-latency-loss',
  'net-host-nic',
  'net-rdp-transport',
  'fw-third-party',
  'evt-scan',
];

const VERDICT_ORDER: Record<Verdict, number> = { problem: 0, warning: 1, unknown: 2, ok: 3 };

function rank(id: CheckId): number {
  const i = CAUSE_RANK.indexOf(id);
  return i < 0 ? CAUSE_RANK.length : i;
}

/** A new, sorted array; stable for equal keys. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || rank(a.check) - rank(b.check));
}

// The doctor's domain: what a check reads (CheckInput), what it concludes (Finding), and how a cure
// is expressed (FixPlan, UndoRecord). rdp/ knows RDP and Windows, never chat.
import type { HostFacts } from './read-plan.ts';
import type { OpError, Plan } from '../host/operations.ts';
import type { DnsResolution, RdpProbeResult, TcpProbeResult, TcpSampleResult } from './probes/index.ts';

/**
 * Every check, once, most-likely-root-cause first: the one list to edit when adding a check (the
 * compiler then asks for its entry in checks/index.ts). Findings are ordered by verdict, then by
 * this rank (checks/order.ts), which follows rdp-checks.md §0's triage: fundamental causes before
 * the symptoms they produce (a stopped service before the missing listener, the firewall before
 * TLS, the configuration before what the bot's probe sees). Reasoning for the less obvious places:
 * - host-edition first: a Home edition or unfinished setup makes every other finding moot.
 * - net-dns-resolution second: with the name pointing at another machine, the probes describe
 *   that machine, so its findings cannot be trusted until DNS is right.
 * - rdp-enabled → svc-termservice → svc-rdp-dependencies → rdp-logon-modes → listener-port: the
 *   switches and services without which nothing listens, before the listener-state symptom.
 * - fw-profile-policy before fw-rdp-rules: block-all makes enabling rules pointless; reachability
 *   (firewall) before TLS: with cert-expired AND firewall-blocked, open the port first.
 * - cert-machinekeys-acl BEFORE cert-rdp-store (adjusted from the brief's list): the catalogue names
 *   the MachineKeys ACL as "the documented cause behind 1057/1058/36870", and cert-rdp-store's own
 *   remedy sends you to it when the certificate cannot be (re)generated; an unreadable key shows up
 *   in both, and the ACL is the deeper cause.
 * - sec-*, authz-*, conn-limits after TLS: they only matter once the TLS handshake works.
 * - listener-state, net-rdp-probe, net-tcp-reachability are symptoms: last among host causes.
 * - net-winrm-identity, latency, NIC, transport, third-party and evt-scan are corroboration.
 */
export const CHECK_IDS = [
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
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type Verdict = 'ok' | 'problem' | 'warning' | 'unknown';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type FixRisk = 'safe' | 'disruptive' | 'weakens-security';

/** Why host-side facts are missing altogether (WinRM unreachable, denied, timed out, runtime broken). */
export interface HostAccessFailure {
  /** policy: the host refuses by policy (WinRS disabled, Constrained Language Mode); the message says what to change. */
  kind: 'unreachable' | 'auth' | 'timeout' | 'protocol' | 'runtime' | 'config' | 'policy';
  /** What was tried and what went wrong, in plain words; never a secret. */
  message: string;
}

export interface ProbeEvidence {
  /** Resolution of the inventory address; null when the address is an IP literal. */
  dns: DnsResolution | null;
  tcpRdp: TcpProbeResult;
  tcpWinrm: TcpProbeResult;
  /** A short sample of TCP connects to the RDP port (latency, jitter, loss); null when not run. */
  latency: TcpSampleResult | null;
  rdp: RdpProbeResult;
}

export interface CheckTarget {
  id: string;
  /** The name users type and DNS resolves. */
  address: string;
  rdpHost: string;
  /** The port clients connect to. Behind NAT (or in the lab) it can differ from the host's own PortNumber. */
  rdpPort: number;
  winrmUrl: string;
  /** Windows accounts people connect as (DOMAIN\user or SIDs), for authz checks. */
  rdpUsers: string[];
}

export interface CheckInput {
  target: CheckTarget;
  facts: HostFacts | { failure: HostAccessFailure };
  probes: ProbeEvidence;
  now: Date;
}

export type FixId = string;

/** A fix as a finding proposes it (the chat button shows exactly this). */
export interface FixProposal {
  id: FixId;
  title: string;
  risk: FixRisk;
  /** What will change, what it disrupts, whether it weakens security: one or two sentences. */
  impact: string;
  /** What it opens up, as a phrase after "It" ("opens TCP 3389 to any address"); absent when nothing. */
  exposes?: string;
}

export interface Finding {
  check: CheckId;
  title: string;
  verdict: Verdict;
  severity: Severity;
  /** One sentence an on-call engineer understands, leading with the cause. */
  summary: string;
  /** Why it matters and what it means for RDP, in plain words. */
  explanation: string;
  /** What the check saw (small JSON; never secrets). */
  evidence: Record<string, unknown>;
  fix: FixProposal | null;
  /** The deciding value comes from Group Policy: a local fix would be undone at the next refresh. */
  managedByPolicy?: boolean;
  /** The one or two facts that prove the summary, in a few words ("expired 66 days ago, on 2026-10-01"). */
  proof?: string;
  /**
   * This finding is what another finding's cause looks like from another side (the RDP probe failing
   * because of the expired certificate): chat shows it inside that finding, not as a second cause.
   * diagnose() keeps it only when that finding is a problem or warning.
   */
  supports?: CheckId;
}

export interface Diagnosis {
  host: string;
  /** 'problem' if any finding is a problem, else 'warning', else 'unknown' if evidence was missing, else 'ok'. */
  verdict: Verdict;
  /** The most likely root cause, in one sentence (the first problem's summary), or a healthy statement. */
  headline: string;
  /** Most likely root cause first. */
  findings: Finding[];
  timingsMs: { probes: number; plan: number; total: number };
  /** WinRM commands that ran on the host: 0 when it could not be reached. */
  winrmCommands: number;
  /** When the checks judged (ISO): "expired 66 days ago" is relative to it. Absent in older records. */
  checkedAt?: string;
  /** Why the host-side facts are missing altogether; absent when the host was read. */
  hostAccess?: HostAccessFailure;
  /** How WinRM authenticated (basic, ntlm, kerberos): negotiate may have fallen back, so the card says. */
  winrmAuth?: string;
}

export interface FixImpact {
  disruptive: boolean;
  weakensSecurity: boolean;
  /** Who and what it drops, e.g. "2 RDP sessions (CONTOSO\\bob, CONTOSO\\eve)". Empty when nothing. */
  drops: string[];
  summary: string;
  /** What it opens up, as a phrase after "It" ("grants CONTOSO\\bob RDP logon"); absent when nothing. */
  exposes?: string;
}

/** What must hold after the fix, checked from outside and by re-running the checks. */
export interface FixVerification {
  /** Checks that must no longer be problems. */
  recheck: CheckId[];
  /** The RDP probe must complete a TLS handshake with an unexpired certificate. */
  expectRdpTls: boolean;
}

export interface FixPlan {
  fixId: FixId;
  host: string;
  title: string;
  risk: FixRisk;
  impact: FixImpact;
  /** Compare-and-set write plan: every write carries the state the diagnosis saw. */
  apply: Plan;
  /** Security-weakening fixes revert themselves on the host after this many minutes. */
  timeBoxMinutes: number | null;
  verify: FixVerification;
  /** sha256 of the canonical JSON of `apply` (the audit record names it). */
  hash: string;
  /** When it was built: parts of `apply` derive from the time (a revert task's name), so applying it rebuilds it at this time. */
  plannedAt?: string;
}

export interface UndoRecord {
  undoId: string;
  host: string;
  fixId: FixId;
  createdAt: string;
  /** Restores the recorded previous state; compare-and-set against the state the fix left. */
  plan: Plan;
  /** The revert task the fix scheduled, cancelled by undo. */
  revertTask: string | null;
}

export interface FixOutcome {
  host: string;
  fix: FixId;
  applied: boolean;
  verified: boolean;
  undoId: string | null;
  /** Per write op: ok or the error (PreconditionFailed means the host changed since the diagnosis). */
  steps: { id: string; op: string; ok: boolean; error?: OpError }[];
  /** Plain words: what happened, and what to do if it did not work. */
  message: string;
  after: Diagnosis | null;
  /**
   * Where the host ended, once the fix ran any step: every step applied, every step put back as
   * before, half-applied (put back failed or was refused), or unreachable (not verified: the step
   * journal is kept and the fix is settled when the host answers).
   */
  end?: 'applied' | 'as-before' | 'half-applied' | 'unreachable';
}

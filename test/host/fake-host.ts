// A pure-logic stand-in for a Windows host: decodes the bootstrap's stdin exactly as the bootstrap
// would (header, length, SHA-256) and answers with crafted values of the shapes the runtime returns,
// framed as the engine frames them. No PowerShell involved (npm run test:runtime runs the real one).
import type { z } from 'zod';
import { frame } from '../../src/host/bootstrap.ts';
import type { PowerShellRunner } from '../../src/host/executor.ts';
import type { Operation, Plan, ReadOpName, ReadValue } from '../../src/host/operations.ts';
import { createCertificate } from '../../src/lab/certs/index.ts';
import { readBootstrapStdin } from '../../src/lab/model/powershell.ts';

/** A real certificate's DER: the runtime returns DER, TypeScript parses it. */
const SAMPLE_CERT = createCertificate({ commonName: 'VM1', dnsNames: ['VM1'], notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2025-07-01T00:00:00Z') });
export const SAMPLE_DER = Buffer.from(SAMPLE_CERT.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');

/** Values as the runtime returns them (before the zod transforms that parse DER and fill principal sources). */
export const sampleValues: { [K in ReadOpName]: z.input<(typeof ReadValue)[K]> } = {
  'reg.value': { path: 'HKLM:\\X', name: 'fDenyTSConnections', exists: true, kind: 'DWord', data: 0 },
  'reg.key': { path: 'HKLM:\\X', exists: true, values: [{ name: 'PortNumber', kind: 'DWord', data: 3389 }], subkeys: [] },
  'service.get': {
    name: 'TermService',
    exists: true,
    state: 'Running',
    startType: 'Manual',
    delayedAutoStart: false,
    account: 'NT Authority\\NetworkService',
    processId: 1234,
    serviceType: 'Share Process',
    dependsOn: ['RPCSS', 'TermDD'],
  },
  'cim.query': [{ TerminalName: 'RDP-Tcp', SSLCertificateSHA1Hash: 'AB'.repeat(20), PolicySourceSecurityLayer: 2 }],
  'cert.list': [
    {
      store: 'Remote Desktop',
      der: SAMPLE_DER,
      hasPrivateKey: true,
      keyContainer: 'f686aace6942fb7f7ceb231212eef4a4_0000',
      keyFile: {
        path: '%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys\\f686aace6942fb7f7ceb231212eef4a4_0000',
        exists: true,
        ownerSid: 'S-1-5-18',
        access: [
          { sid: 'S-1-5-18', rights: 2032127, type: 'Allow', inherited: false },
          { sid: 'S-1-5-32-544', rights: 2032127, type: 'Allow', inherited: false },
          { sid: 'S-1-5-20', rights: 1179785, type: 'Allow', inherited: false },
        ],
      },
    },
  ],
  'fw.rules': [
    {
      name: 'RemoteDesktop-UserMode-In-TCP',
      group: '@FirewallAPI.dll,-28752',
      enabled: true,
      direction: 'Inbound',
      action: 'Allow',
      profiles: [],
      protocol: 'TCP',
      localPorts: ['3389'],
      remoteAddresses: ['Any'],
      policyStoreSourceType: 'Local',
    },
  ],
  'fw.profiles': [
    { name: 'Domain', enabled: true, defaultInboundAction: 'Block', allowInboundRules: 'True', allowLocalFirewallRules: 'True', active: true },
  ],
  'group.members': { machineSid: 'S-1-5-21-1-2-3', members: [{ sid: 'S-1-5-21-1-2-3-500', name: 'VM1\\Administrator', objectClass: 'User', principalSource: null }] },
  'tcp.listeners': [{ localAddress: '0.0.0.0', localPort: 3389, owningProcess: 1234, processName: 'svchost', services: ['TermService'] }],
  'ip.addresses': [{ address: '10.0.0.5', family: 'IPv4', prefixLength: 24, interfaceAlias: 'Ethernet' }],
  'events.query': [{ log: 'System', provider: 'TermDD', id: 56, level: 2, timeCreated: '2025-01-01T00:00:00.0000000Z', properties: ['\\Device\\Termdd', '10.0.0.9'] }],
  'file.acl': { path: '%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys', exists: true, ownerSid: 'S-1-5-18', access: [{ sid: 'S-1-1-0', rights: 1180063, type: 'Allow', inherited: false }] },
  'os.info': {
    computerName: 'VM1',
    domain: null,
    partOfDomain: false,
    caption: 'Microsoft Windows Server 2022 Standard',
    version: '10.0.20348',
    buildNumber: '20348',
    editionId: 'ServerStandard',
    productType: 3,
    installationType: 'Server',
    machineGuid: '00000000-0000-0000-0000-000000000000',
    lastBootUpTime: '2025-01-01T00:00:00.0000000Z',
    utcNow: '2025-01-02T00:00:00.0000000Z',
  },
  'rdp.sessions': [{ id: 65536, winStation: 'RDP-Tcp', user: null, state: 6, clientName: null }],
};

export interface DecodedStdin {
  runtime: string;
  planJson: string;
}

/** What the bootstrap does with stdin (the lab's reading of it, which the runtime tests hold to the real bootstrap). */
export const decodeStdin = (stdin: Buffer): DecodedStdin => readBootstrapStdin(stdin);

export function resultFor(op: Operation): Record<string, unknown> {
  if (op.op in sampleValues) return { id: op.id, ok: true, value: sampleValues[op.op as ReadOpName], ms: 3 };
  return { id: op.id, ok: false, error: { code: 'NotSupported', message: 'fake host: reads only' } };
}

export interface FakeResult {
  runtime: string;
  host: string;
  startedAt: string;
  elapsedMs: number;
  check?: boolean;
  results: Record<string, unknown>[];
}

/** stdout as the engine writes it: BEGIN, one OP frame per result, END; with some noise around. */
export function wrapResult(r: FakeResult, noise = true): string {
  const body = frame('BEGIN', { runtime: r.runtime, host: r.host, startedAt: r.startedAt, check: r.check ?? false, count: r.results.length }) +
    r.results.map((x) => frame('OP', x)).join('') + frame('END', { elapsedMs: r.elapsedMs });
  return noise ? `WARNING: something chatty\r\n${body}\r\n` : body;
}

export interface FakeRunner extends PowerShellRunner {
  calls: { script: string; stdin: DecodedStdin; plan: Plan }[];
}

/** A runner that answers every read op with a sample value; `tweak` may edit the result before it is sent. */
export function fakeRunner(tweak?: (result: FakeResult) => void): FakeRunner {
  const calls: FakeRunner['calls'] = [];
  return {
    calls,
    runPowerShell(script, stdin) {
      if (!stdin) return Promise.resolve({ stdout: '', stderr: 'no stdin', exitCode: 2 });
      const decoded = decodeStdin(stdin);
      const plan = JSON.parse(decoded.planJson) as Plan;
      calls.push({ script, stdin: decoded, plan });
      const result: FakeResult = { runtime: '2.0.0', host: 'VM1', startedAt: '2025-01-02T00:00:00.0000000Z', elapsedMs: 42, results: plan.ops.map(resultFor) };
      tweak?.(result);
      return Promise.resolve({ stdout: wrapResult(result), stderr: '', exitCode: 0 });
    },
  };
}

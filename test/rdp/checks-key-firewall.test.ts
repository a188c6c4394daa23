// cert-machinekeys-acl judged by the key file's ACL (NETWORK SERVICE, not the administrator), and
// fw-rdp-rules judging the built-in group together with custom rules and Block rules for the port.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKS } from '../../src/rdp/checks/index.ts';
import { buildFix } from '../../src/rdp/fixes/index.ts';
import { isNotApplicable } from '../../src/rdp/fixes/lib/plan.ts';
import { rdpKeyFilePath } from '../../src/lab/model/rdp-cert.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import type { CheckId, Finding } from '../../src/rdp/types.ts';
import { factsOf, input, model, NOW, TARGET } from './checks-fixtures.test.ts';

const run = (id: CheckId, m: HostModel): Finding => {
  const c = CHECKS.get(id);
  assert.ok(c);
  return c.evaluate(input(factsOf(m)));
};

function withKeyAcl(edit: (acl: NonNullable<HostModel['fileAcls'][string]>) => void, scenario = 'healthy'): HostModel {
  const m = model(scenario);
  const acl = m.fileAcls[rdpKeyFilePath(m).toLowerCase()];
  assert.ok(acl);
  edit(acl);
  return m;
}

describe('cert-machinekeys-acl: the key file ACL as NETWORK SERVICE meets it', () => {
  test('healthy: ok, naming the key file', () => {
    const f = run('cert-machinekeys-acl', model());
    assert.equal(f.verdict, 'ok');
    assert.match(f.summary, /^NETWORK SERVICE can read the RDP private key file f686aace6942fb7f7ceb231212eef4a4_/);
  });

  test('NETWORK SERVICE lost read, Administrators intact: problem, in plain words, with the regeneration fix', () => {
    const f = run('cert-machinekeys-acl', model('cert-key-acl-network-service'));
    assert.equal(f.verdict, 'problem');
    assert.match(f.summary, /^NETWORK SERVICE \(which TermService runs as\) cannot read the certificate's private key file f686aace6942fb7f7ceb231212eef4a4_[0-9a-f-]+ \(RCM 1057 ×1, Schannel 36870 ×1\), so TermService cannot complete TLS/);
    assert.equal(f.fix?.id, 'regenerate-rdp-certificate');
  });

  test('a Deny entry with ReadData for NETWORK SERVICE beats its Allow entry', () => {
    const f = run('cert-machinekeys-acl', withKeyAcl((acl) => acl.access.push({ sid: 'S-1-5-20', rights: 0x120089, type: 'Deny', inherited: false })));
    assert.equal(f.verdict, 'problem');
    assert.match(f.summary, /is denied read on the certificate's private key file/);
  });

  test("Administrators' entries do not matter (removed, or denied)", () => {
    assert.equal(run('cert-machinekeys-acl', model('cert-key-acl-admins-removed')).verdict, 'ok');
    const denied = withKeyAcl((acl) => acl.access.push({ sid: 'S-1-5-32-544', rights: 2032127, type: 'Deny', inherited: false }));
    assert.equal(run('cert-machinekeys-acl', denied).verdict, 'ok');
  });

  test('a key without a key file the host could find: unknown with the reason, never ok', () => {
    const m = model();
    delete m.fileAcls[rdpKeyFilePath(m).toLowerCase()];
    const f = run('cert-machinekeys-acl', m);
    assert.equal(f.verdict, 'unknown');
    assert.match(f.summary, /did not find the key file of container f686aace6942fb7f7ceb231212eef4a4_\S+ under MachineKeys or Crypto\\Keys/);
    assert.equal(f.fix, null);
  });

  test('cert-rdp-store names the same cause; the certificate is not "usable"', () => {
    const f = run('cert-rdp-store', model('cert-key-acl-network-service'));
    assert.equal(f.verdict, 'problem');
    assert.match(f.summary, /NETWORK SERVICE \(which TermService runs as\) cannot read/);
  });
});

describe('fw-rdp-rules: the built-in group together with the rules for the RDP port', () => {
  test('fw-custom-allow: the built-in rules are off but the custom rule allows TCP 3389: ok, with its scope', () => {
    const f = run('fw-rdp-rules', model('fw-custom-allow'));
    assert.equal(f.verdict, 'ok');
    assert.equal(
      f.summary,
      'The built-in Remote Desktop firewall rules are disabled, but the custom rule RDP-Mgmt-Allow-TCP-3389 (from 10.20.0.0/255.255.0.0, 127.0.0.1) allows TCP 3389 on the Private profile.',
    );
  });

  test('a custom allow rule for another profile does not count', () => {
    const m = model('fw-custom-allow');
    const r = m.firewall.rules.find((x) => x.name === 'RDP-Mgmt-Allow-TCP-3389');
    assert.ok(r);
    r.profiles = ['Domain'];
    assert.equal(run('fw-rdp-rules', m).verdict, 'problem');
  });

  test('fw-block-rule: the Block rule is the problem, named; no enable-rules fix; it says what to change', () => {
    const m = model('fw-block-rule');
    const f = run('fw-rdp-rules', m);
    assert.equal(f.verdict, 'problem');
    assert.match(f.summary, /^The Windows Firewall rule Block-Inbound-RDP-3389 blocks inbound TCP 3389/);
    assert.equal(f.fix, null);
    assert.match(f.explanation, /Disable or delete the Block rule \(`Disable-NetFirewallRule -Name 'Block-Inbound-RDP-3389'`\)/);
    const built = buildFix('enable-rdp-firewall-rules', { facts: factsOf(m), target: TARGET, now: NOW });
    assert.ok(isNotApplicable(built));
    assert.match(built.notApplicable, /the Block rule Block-Inbound-RDP-3389 drops TCP 3389/);
  });

  test('a Block rule beats a profile that allows inbound by default; a disabled or GPO Block rule', () => {
    const open = model('fw-block-rule');
    for (const p of open.firewall.profiles) p.defaultInboundAction = 'Allow';
    assert.equal(run('fw-rdp-rules', open).verdict, 'problem');
    const off = model('fw-block-rule');
    const block = off.firewall.rules.find((x) => x.action === 'Block');
    assert.ok(block);
    block.enabled = false;
    assert.equal(run('fw-rdp-rules', off).verdict, 'ok');
    const gpo = model('fw-block-rule');
    const g = gpo.firewall.rules.find((x) => x.action === 'Block');
    assert.ok(g);
    g.policyStoreSourceType = 'GroupPolicy';
    const f = run('fw-rdp-rules', gpo);
    assert.equal(f.verdict, 'problem');
    assert.equal(f.managedByPolicy, true);
    assert.match(f.explanation, /GPO/);
  });
});

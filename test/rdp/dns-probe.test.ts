// resolveName against the fake authoritative server, and the compareAddresses verdicts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { compareAddresses, normalizeAddress, resolveName } from '../../src/rdp/probes/index.ts';
import { startDnsServer } from '../fakes/dns-server.ts';
import type { FakeDnsServer } from '../fakes/dns-server.ts';

describe('resolveName', () => {
  let dns: FakeDnsServer;
  before(async () => {
    dns = await startDnsServer({
      'rdp.example.test': { a: ['10.0.0.5', '10.0.0.6'], aaaa: ['2001:db8::5'] },
      'v4only.example.test': { a: ['192.0.2.7'] },
      'v6only.example.test': { aaaa: ['2001:DB8:0:0:0:0:0:9'] },
      'empty.example.test': {},
    });
  });
  after(() => dns.close());

  test('A and AAAA in parallel, addresses normalised, resolver named', async () => {
    const r = await resolveName('rdp.example.test', { servers: [dns.address], timeoutMs: 2000 });
    assert.equal(r.error, null);
    assert.deepEqual(r.addresses, [
      { address: '10.0.0.5', family: 4 },
      { address: '10.0.0.6', family: 4 },
      { address: '2001:db8::5', family: 6 },
    ]);
    assert.equal(r.resolver, dns.address);
    assert.ok(r.ms >= 0 && r.ms < 2000);
    const asked = dns.queries.filter((q) => q.name === 'rdp.example.test').map((q) => q.type).sort();
    assert.deepEqual(asked, ['A', 'AAAA']);
  });

  test('names are case-insensitive', async () => {
    const r = await resolveName('RDP.Example.Test', { servers: [dns.address], timeoutMs: 2000 });
    assert.equal(r.addresses.length, 3);
  });

  test('NODATA for one family is fine', async () => {
    const v4 = await resolveName('v4only.example.test', { servers: [dns.address], timeoutMs: 2000 });
    assert.equal(v4.error, null);
    assert.deepEqual(v4.addresses, [{ address: '192.0.2.7', family: 4 }]);
    const v6 = await resolveName('v6only.example.test', { servers: [dns.address], timeoutMs: 2000 });
    assert.deepEqual(v6.addresses, [{ address: '2001:db8::9', family: 6 }]);
  });

  test('NXDOMAIN → ENOTFOUND', async () => {
    const r = await resolveName('nope.example.test', { servers: [dns.address], timeoutMs: 2000 });
    assert.equal(r.error, 'ENOTFOUND');
    assert.deepEqual(r.addresses, []);
  });

  test('a name without any address → ENODATA', async () => {
    const r = await resolveName('empty.example.test', { servers: [dns.address], timeoutMs: 2000 });
    assert.equal(r.error, 'ENODATA');
  });

  test('a server that never answers → ETIMEOUT within the timeout', async () => {
    const silent = dgram.createSocket('udp4'); // receives queries, never replies
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const timeoutMs = 300;
      const r = await resolveName('rdp.example.test', { servers: [`127.0.0.1:${silent.address().port}`], timeoutMs });
      assert.equal(r.error, 'ETIMEOUT');
      assert.ok(r.ms >= timeoutMs * 0.9, `took ${r.ms} ms`);
      assert.ok(r.ms < timeoutMs + 500, `took ${r.ms} ms`);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('IP literals come back as they are, without a query', async () => {
    const before = dns.queries.length;
    const v4 = await resolveName('10.1.2.3', { servers: [dns.address], timeoutMs: 2000 });
    assert.deepEqual(v4, { ...v4, addresses: [{ address: '10.1.2.3', family: 4 }], error: null, resolver: 'literal' });
    const v6 = await resolveName('[2001:DB8::1]', { servers: [dns.address], timeoutMs: 2000 });
    assert.deepEqual(v6.addresses, [{ address: '2001:db8::1', family: 6 }]);
    assert.equal(dns.queries.length, before);
  });

  test('localhost goes through the system resolver when no servers are configured', async () => {
    const r = await resolveName('localhost', { timeoutMs: 2000 });
    assert.equal(r.error, null);
    assert.equal(r.resolver, 'system (getaddrinfo)');
    assert.ok(r.addresses.some((a) => a.address === '127.0.0.1' || a.address === '::1'));
  });

  test('a malformed server address is an error, not a throw', async () => {
    const r = await resolveName('rdp.example.test', { servers: ['not an ip'], timeoutMs: 500 });
    assert.notEqual(r.error, null);
    assert.deepEqual(r.addresses, []);
  });
});

describe('compareAddresses', () => {
  const host = [
    { address: '10.0.0.5', family: 4 as const },
    { address: '2001:DB8:0::5', family: 6 as const },
    { address: '127.0.0.1', family: 4 as const },
    { address: '::1', family: 6 as const },
    { address: 'fe80::1%12', family: 6 as const },
    { address: '169.254.3.4', family: 4 as const },
  ];

  test('match: every resolved address is the host\'s (IPv6 normalised)', () => {
    const c = compareAddresses({ addresses: [{ address: '10.0.0.5', family: 4 }, { address: '2001:db8::5', family: 6 }] }, host);
    assert.deepEqual(c, { verdict: 'match', matching: ['10.0.0.5', '2001:db8::5'], resolvedOnly: [], hostOnly: [] });
  });

  test('mismatch: one stale address is enough; loopback/link-local ignored on the host side', () => {
    const c = compareAddresses([{ address: '10.0.0.5', family: 4 }, { address: '10.9.9.9', family: 4 }], host);
    assert.equal(c.verdict, 'mismatch');
    assert.deepEqual(c.matching, ['10.0.0.5']);
    assert.deepEqual(c.resolvedOnly, ['10.9.9.9']);
    assert.deepEqual(c.hostOnly, ['2001:db8::5']);
  });

  test('a stale AAAA alone is a mismatch', () => {
    const c = compareAddresses([{ address: '10.0.0.5', family: 4 }, { address: '2001:db8::99', family: 6 }], host);
    assert.equal(c.verdict, 'mismatch');
    assert.deepEqual(c.resolvedOnly, ['2001:db8::99']);
  });

  test('a name that resolves to loopback keeps the host\'s loopback', () => {
    const c = compareAddresses([{ address: '127.0.0.1', family: 4 }], host);
    assert.equal(c.verdict, 'match');
    assert.deepEqual(c.matching, ['127.0.0.1']);
  });

  test('IPv4-mapped IPv6 compares as IPv4', () => {
    const c = compareAddresses([{ address: '::ffff:10.0.0.5', family: 6 }], host);
    assert.equal(c.verdict, 'match');
  });

  test('unresolved and unknown', () => {
    assert.equal(compareAddresses({ addresses: [] }, host).verdict, 'unresolved');
    assert.equal(compareAddresses([{ address: '10.0.0.5', family: 4 }], [{ address: '::1', family: 6 }]).verdict, 'unknown');
    assert.equal(compareAddresses([{ address: '10.0.0.5', family: 4 }], []).verdict, 'unknown');
  });

  test('normalizeAddress', () => {
    assert.equal(normalizeAddress('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(normalizeAddress('[fe80::1%eth0]'), 'fe80::1');
    assert.equal(normalizeAddress('::ffff:c000:0207'), '192.0.2.7');
    assert.equal(normalizeAddress('host.example'), null);
  });
});

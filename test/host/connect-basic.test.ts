// WinRM Basic over plain http:// puts the password on the wire in clear text with every request: a
// host is refused unless its configuration opts in (hosts.ID.winrm.allowBasicOverHttp), and an
// opted-in host warns on every connection. NTLM over http (encrypted messages) and Basic over https
// are not affected. No connection is made here: connectHost builds the client, the refusal comes first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findHost } from '../../src/config/load.ts';
import { Config } from '../../src/config/schema.ts';
import { connectHost } from '../../src/host/connect.ts';

const UNSET = 'RDP_MEDIC_TEST_SECRET_THAT_IS_NOT_SET';

function config(winrm: Record<string, unknown>, password: Record<string, unknown> = { env: UNSET }): Config {
  return Config.parse({
    credentials: { local: { username: 'Administrator', password } },
    hosts: { 'kiosk-01': { winrm: { credential: 'local', ...winrm } } },
  });
}

function capture(): { logger: { warn(obj: object, msg: string): void }; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { warn: (_obj, msg) => void lines.push(msg) } };
}

describe('WinRM Basic over http://', () => {
  it('is refused with a message naming the key that opts in, before the password is even read', async () => {
    assert.equal(config({ url: 'http://10.0.0.5:5985/wsman', auth: 'basic' }).hosts['kiosk-01']!.winrm.allowBasicOverHttp, false, 'off by default');
    const host = findHost(config({ url: 'http://10.0.0.5:5985/wsman', auth: 'basic' }), 'kiosk-01');
    // The password's environment variable is unset: reading it would fail with another message.
    await assert.rejects(connectHost(host), {
      message: 'kiosk-01: WinRM Basic over http:// would send the password in clear text; refused. Use an https:// URL (or auth: ntlm), or accept the risk for this host with hosts.kiosk-01.winrm.allowBasicOverHttp: true',
    });
  });

  it('opted in: connects, and warns on every connection, naming the key', async () => {
    const host = findHost(config({ url: 'http://10.0.0.5:5985/wsman', auth: 'basic', allowBasicOverHttp: true }, { value: 'pw-not-logged' }), 'kiosk-01');
    const { logger, lines } = capture();
    for (let i = 0; i < 2; i++) await (await connectHost(host, { logger })).close();
    assert.deepEqual(lines, Array(2).fill('WinRM Basic over http:// to kiosk-01: the password crosses the network in clear text (hosts.kiosk-01.winrm.allowBasicOverHttp is true)'));
    assert.ok(!lines.join('\n').includes('pw-not-logged'));
  });

  it('Basic over https:// and NTLM over http:// are not affected', async () => {
    const { logger, lines } = capture();
    for (const winrm of [{ url: 'https://10.0.0.5:5986/wsman', auth: 'basic' }, { url: 'http://10.0.0.5:5985/wsman', auth: 'ntlm' }]) {
      await (await connectHost(findHost(config(winrm, { value: 'pw' }), 'kiosk-01'), { logger })).close();
    }
    assert.deepEqual(lines, []);
  });
});

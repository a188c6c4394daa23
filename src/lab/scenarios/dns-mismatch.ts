// dns-mismatch: the host's own address is 10.99.0.5, while the name in the inventory resolves (in
// the lab's DNS) to 127.0.0.1: the name points at another machine. Nothing to fix on the host:
// the fix is the DNS record (escalate), or connecting by IP for now.
import { ipAddressesFrom } from '../model/default-model.ts';
import type { Scenario } from './types.ts';

export const dnsMismatch: Scenario = {
  name: 'dns-mismatch',
  description: "The host's addresses (10.99.0.5) differ from what its name resolves to.",
  cause: ['net-dns-resolution'],
  fix: 'none on the host: fix the DNS record (escalate); Register-DnsClient if the host registers itself',
  apply: (m) => {
    m.ipAddresses = ipAddressesFrom(['10.99.0.5']);
  },
};

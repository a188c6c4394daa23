// The DNS server tests resolve against is the lab's own (src/lab/dns), a real UDP server on 127.0.0.1.
export { startDnsServer, type DnsZone, type LabDnsServer as FakeDnsServer } from '../../src/lab/dns/server.ts';

// Parses a probe target `HOST[:PORT]`; IPv6 needs brackets with a port (`[::1]:3389`), a bare IPv6 has none.
import net from 'node:net';

export interface ProbeTarget {
  host: string;
  port: number;
}

export function parseTarget(text: string, defaultPort = 3389): ProbeTarget | { error: string } {
  const t = text.trim();
  if (t === '') return { error: 'target is empty (expected HOST[:PORT])' };
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(t);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (!net.isIPv6(host.replace(/%.*$/, ''))) return { error: `"${host}" in brackets is not an IPv6 address` };
  } else if (t.includes('[') || t.includes(']')) {
    return { error: `"${t}" has unbalanced brackets (IPv6 with a port is written [::1]:3389)` };
  } else if ((t.match(/:/g) ?? []).length > 1) {
    if (!net.isIPv6(t)) return { error: `"${t}" is not a valid host (IPv6 with a port is written [::1]:3389)` };
    host = t;
  } else {
    const i = t.indexOf(':');
    host = i < 0 ? t : t.slice(0, i);
    portText = i < 0 ? undefined : t.slice(i + 1);
  }
  if (host === '') return { error: `"${t}" has no host` };
  if (!bracketed && !net.isIP(host) && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/.test(host)) {
    return { error: `"${host}" is not a valid host name` };
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return { error: `port "${portText}" is not a number in 1-65535` };
    }
    port = Number(portText);
  }
  return { host, port };
}

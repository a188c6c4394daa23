// HTTP authentication as http.sys/WinRM does it: Basic checked on every request (pre-emptive), NTLM
// bound to the TCP connection (winrm-protocol.md §5.2): Type1 -> 401 with the Type2, Type3 verified ->
// the request is processed, and later requests on that socket need no Authorization header.
import { timingSafeEqual } from 'node:crypto';
import { NtlmServerContext, parseAuthorizationHeader, type NtlmSession } from '../../ntlm/index.ts';
import type { Gssapi } from '../../winrm/index.ts';
import type { WsmanHost } from '../types.ts';

/** Per-socket authentication state (NTLM is connection-oriented). */
export interface SocketAuth {
  ntlm: NtlmServerContext | undefined;
  user: string | undefined;
  session: NtlmSession | undefined;
}

/**
 * WinRM's Service/Auth/CbtHardeningLevel, for HTTPS: 'strict' requires the client's channel binding to
 * match our certificate, 'relaxed' (Windows' default) checks it only when the client sends one, 'none'
 * ignores it. Over http there is nothing to bind to.
 */
export type CbtHardeningLevel = 'none' | 'relaxed' | 'strict';

export interface ChannelBindingPolicy {
  level: CbtHardeningLevel;
  /** MD5(gss_channel_bindings_struct) of our certificate's tls-server-end-point; undefined over http. */
  expected: Buffer | undefined;
}

/** Whether a client's channel binding (undefined: none sent) passes the policy. */
export function bindingAccepted(policy: ChannelBindingPolicy, sent: Buffer | undefined): boolean {
  if (!policy.expected || policy.level === 'none') return true;
  if (sent === undefined) return policy.level === 'relaxed';
  return sent.length === policy.expected.length && timingSafeEqual(sent, policy.expected);
}

export const newSocketAuth = (): SocketAuth => ({ ntlm: undefined, user: undefined, session: undefined });

/** Kerberos acceptor of the lab: the GSSAPI binding and this listener's service (HTTP@host). */
export interface LabKerberos {
  gss: Gssapi;
  service: string;
}

export type AuthOutcome =
  /** `wwwAuthenticate`: Kerberos' mutual-authentication token, sent with the answer. */
  | { kind: 'ok'; user: string; via: 'basic' | 'ntlm' | 'kerberos'; wwwAuthenticate?: string }
  /** 401 carrying `WWW-Authenticate: <value>` (the NTLM Type2). */
  | { kind: 'challenge'; wwwAuthenticate: string }
  | { kind: 'denied' };

export async function authenticate(
  header: string | undefined,
  state: SocketAuth,
  host: WsmanHost,
  cbt: ChannelBindingPolicy,
  kerberos: LabKerberos | undefined,
  onError: (e: unknown) => void,
): Promise<AuthOutcome> {
  if (!header || /^\s*(Negotiate|NTLM)\s*$/i.test(header)) {
    return state.user !== undefined ? { kind: 'ok', user: state.user, via: 'ntlm' } : { kind: 'denied' };
  }
  const basic = /^\s*Basic\s+(\S+)\s*$/i.exec(header);
  if (basic) return checkBasic(basic[1] as string, host);
  if (!/^\s*(Negotiate|NTLM)\s/i.test(header)) return { kind: 'denied' };

  const parsed = parseAuthorizationHeader(header);
  if (!parsed && kerberos) return acceptKerberos(header, state, host, kerberos, onError);
  // SPNEGO-wrapped tokens would need SPNEGO answers; like a Negotiate-less listener we refuse them.
  if (!parsed || parsed.spnego) return { kind: 'denied' };
  const type = parsed.token.readUInt32LE(8);
  try {
    if (type === 1) {
      // A new Type1 restarts the handshake and drops any earlier identity of this socket.
      state.user = undefined;
      state.session = undefined;
      state.ntlm = new NtlmServerContext({ netbiosName: host.computerName, dnsName: host.computerName.toLowerCase() });
      const type2 = state.ntlm.challenge(parsed.token);
      return { kind: 'challenge', wwwAuthenticate: `${parsed.scheme} ${type2.toString('base64')}` };
    }
    if (type === 3 && state.ntlm) {
      const ctx = state.ntlm;
      state.ntlm = undefined;
      const who = ctx.authenticate(parsed.token, (user) => host.passwordFor(user));
      if (!who) return { kind: 'denied' };
      if (!bindingAccepted(cbt, who.channelBindings)) {
        onError(new Error(`NTLM channel binding ${who.channelBindings ? 'does not match this certificate' : 'missing'} (CbtHardeningLevel ${cbt.level})`));
        return { kind: 'denied' };
      }
      state.user = who.username;
      state.session = who.session;
      return { kind: 'ok', user: who.username, via: 'ntlm' };
    }
  } catch (e) {
    onError(e);
  }
  return { kind: 'denied' };
}

/** A Kerberos (or SPNEGO-wrapped Kerberos) token: one step, mutual-auth token back, user mapped to the local account. */
async function acceptKerberos(header: string, state: SocketAuth, host: WsmanHost, kerberos: LabKerberos, onError: (e: unknown) => void): Promise<AuthOutcome> {
  const m = /^\s*(Negotiate|Kerberos)\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) return { kind: 'denied' };
  state.user = undefined;
  state.session = undefined;
  state.ntlm = undefined;
  try {
    const server = await kerberos.gss.initializeServer(kerberos.service);
    await server.step(m[2]!);
    if (!server.contextComplete) return { kind: 'denied' };
    const user = localUserName(server.username);
    if (host.passwordFor(user) === undefined) return { kind: 'denied' };
    state.user = user;
    return { kind: 'ok', user, via: 'kerberos', ...(server.response ? { wwwAuthenticate: `${m[1]} ${server.response}` } : {}) };
  } catch (e) {
    onError(e);
    return { kind: 'denied' };
  }
}

function checkBasic(b64: string, host: WsmanHost): AuthOutcome {
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { kind: 'denied' };
  const user = localUserName(decoded.slice(0, colon));
  const password = decoded.slice(colon + 1);
  const expected = user === '' ? undefined : host.passwordFor(user);
  return expected !== undefined && expected === password ? { kind: 'ok', user, via: 'basic' } : { kind: 'denied' };
}

/** "HOST\user", ".\user" and "user@host" all name the local account "user". */
function localUserName(name: string): string {
  const slash = name.lastIndexOf('\\');
  if (slash >= 0) return name.slice(slash + 1);
  const at = name.indexOf('@');
  return at >= 0 ? name.slice(0, at) : name;
}

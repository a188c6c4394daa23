// Wiring: options -> transport -> auth channel -> SOAP caller -> shell protocol -> client.
// Refusals (unencrypted NTLM over http, bad TLS settings, ...) throw here, before any network call.
import { BackgroundWork } from './background.ts';
import { BasicChannel } from './auth-basic.ts';
import { NtlmChannel } from './auth-ntlm.ts';
import { KerberosChannel } from './auth-kerberos.ts';
import { NegotiateChannel } from './auth-negotiate.ts';
import { ticketCacheFor } from './kerberos/ticket-cache.ts';
import { WinrmClient } from './client.ts';
import { FifoLock } from './lock.ts';
import { resolveOptions } from './options.ts';
import type { WinrmClientOptions } from './options.ts';
import { ShellProtocol } from './shell.ts';
import { SoapCaller } from './soap.ts';
import { HttpTransport } from './transport.ts';
import type { SoapChannel } from './channel.ts';
import type { WinrmStats } from './types.ts';

/** Idle kept-alive sockets are closed after this, well before Windows' http.sys (~120 s) would. */
const IDLE_SOCKET_MS = 30_000;

export function createWinrmClient(opts: WinrmClientOptions): WinrmClient {
  const settings = resolveOptions(opts);
  for (const w of settings.warnings) opts.logger?.warn(w.obj, w.msg);

  const stats: WinrmStats = {
    roundTrips: 0,
    handshakes: 0,
    authUsed: undefined,
    shellsCreated: 0,
    requests: { create: 0, command: 0, send: 0, receive: 0, signal: 0, delete: 0 },
  };
  const transport = new HttpTransport({
    url: settings.url,
    host: settings.host,
    tls: settings.tls,
    connectMs: settings.connectMs,
    idleSocketMs: IDLE_SOCKET_MS,
    maxResponseBytes: settings.maxResponseBytes,
    stats,
  });
  const ntlm = (): NtlmChannel =>
    new NtlmChannel(transport, settings.host, { username: settings.username, password: opts.password, domain: settings.domain }, settings.encrypt, stats);
  const kerberos = (): KerberosChannel => {
    const k = settings.kerberos!;
    const tickets = ticketCacheFor({ principal: k.principal, ...(k.keytab ? { keytab: k.keytab } : { password: opts.password }) });
    return new KerberosChannel(transport, settings.host, { spn: k.spn, tickets, renewBeforeMs: k.renewBeforeMs, kdcTimeoutMs: k.kdcTimeoutMs }, stats);
  };
  const channel: SoapChannel =
    settings.auth === 'basic' ? new BasicChannel(transport, settings.host, settings.username, opts.password, stats)
    : settings.auth === 'ntlm' ? ntlm()
    : settings.auth === 'kerberos' ? kerberos()
    : new NegotiateChannel(settings.host, kerberos, ntlm, opts.logger);
  const soap = new SoapCaller(channel, new FifoLock(), settings.host, stats);
  const protocol = new ShellProtocol(soap, settings.host, { to: settings.url.href, operationTimeoutSec: settings.operationTimeoutSec }, {
    requestMs: settings.requestMs,
    operationTimeoutSec: settings.operationTimeoutSec,
  });
  return new WinrmClient({
    host: settings.host,
    commandMs: settings.commandMs,
    maxOutputBytes: settings.maxOutputBytes,
    stats,
    protocol,
    transport,
    background: new BackgroundWork(opts.logger, settings.host),
  });
}

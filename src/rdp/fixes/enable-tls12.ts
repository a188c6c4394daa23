// enable-tls12 (tls-schannel-protocols): SCHANNEL TLS 1.2\Server Enabled 1 and DisabledByDefault 0,
// only TLS 1.2 (1.0/1.1 would be a downgrade). Absent values mean the OS default (on); only values
// that turn TLS 1.2 off are written. Schannel reads them when credentials are acquired: restart TermService.
import type { Operation } from '../../host/operations.ts';
import { dwordOf, need, regState, SCHANNEL_BASE } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, regSet } from './lib/plan.ts';
import { reloadTermService } from './lib/termservice.ts';

const TLS12_SERVER = `${SCHANNEL_BASE}\\TLS 1.2\\Server`;

export const enableTls12 = defineFix('enable-tls12', (ctx) => {
  const enabled = need(regState(ctx.facts, TLS12_SERVER, 'Enabled'));
  const dbd = need(regState(ctx.facts, TLS12_SERVER, 'DisabledByDefault'));
  const ops: Operation[] = [];
  if (enabled.exists && dwordOf(enabled) === 0) ops.push(regSet('set-tls12-Enabled', enabled, 'DWord', 1));
  if (dbd.exists && dwordOf(dbd) !== 0) ops.push(regSet('set-tls12-DisabledByDefault', dbd, 'DWord', 0));
  if (!ops.length) return notApplicable('TLS 1.2 is already enabled for the server side of Schannel');
  const reload = need(reloadTermService(ctx.facts, { startIfStopped: false }));
  if (reload) ops.push(...reload);
  return makeFixPlan('enable-tls12', ctx, { ops, recheck: ['tls-schannel-protocols'], expectRdpTls: true });
});

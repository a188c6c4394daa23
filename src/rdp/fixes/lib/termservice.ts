// The TermService step several fixes end with: restart it when it runs (the change takes effect;
// disruptive), start it when it is stopped (nothing to drop), refuse when it hangs in a pending state.
import type { HostFacts } from '../../read-plan.ts';
import type { Operation } from '../../../host/operations.ts';
import { Missing, service } from './facts.ts';
import { restartSteps, serviceControl } from './plan.ts';

export function reloadTermService(facts: HostFacts, opts: { startIfStopped: boolean }): Operation[] | null | Missing {
  const ts = service(facts, 'TermService');
  if (ts instanceof Missing) return ts;
  if (ts.state === 'Running') return restartSteps(facts, 'TermService');
  if (ts.state === 'Stopped') return opts.startIfStopped ? [serviceControl('start-TermService', 'TermService', 'start', 'Stopped')] : null;
  return new Missing(`TermService is ${ts.state}: it hangs in a pending state; restart it by hand or reboot (svc-termservice)`);
}

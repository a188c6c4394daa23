// svc-termservice (§3.B): Remote Desktop Services must run. Start type Manual is the Windows default, not a fault (§5).
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';

export const svcTermservice = defineCheck('svc-termservice', 'Remote Desktop Services (TermService) running', 'critical', (input, f) => {
  const got = need(input, { svc: ['the TermService service state', (h) => h.services.TermService] });
  if (!got.ok) return f.unknown(`Could not tell whether Remote Desktop Services (TermService) runs: ${got.missing}.`, undefined, got.evidence);
  const s = got.v.svc;
  const evidence = { state: s.state, startType: s.startType, account: s.account, processId: s.processId, serviceType: s.serviceType };
  if (!s.exists) {
    return f.problem({ summary: 'The TermService service does not exist on this host, so RDP cannot work.', explanation: 'Remote Desktop Services is missing or its registration is broken. Escalate: this needs repair at the console.', evidence });
  }
  if (s.startType === 'Disabled') {
    return f.problem({
      summary: `Remote Desktop Services (TermService) is disabled${s.state === 'Running' ? '' : ' and stopped'}, so nothing listens for RDP connections.`,
      explanation: 'The service that hosts the RDP listener cannot run while its start type is Disabled. The fix sets it back to Manual (the Windows default) and starts it with UmRdpService. Nobody is connected yet, so nobody is disconnected.',
      evidence,
      fix: proposeFix('start-termservice', got.facts),
    });
  }
  if (s.state === 'Stopped') {
    return f.problem({
      summary: 'Remote Desktop Services (TermService) is stopped, so nothing listens on the RDP port and connections are refused.',
      explanation: `TermService hosts the RDP listener. Its start type is ${s.startType ?? 'unknown'}${s.startType === 'Manual' ? ' (the Windows default, not a fault by itself)' : ''}. The fix starts TermService and UmRdpService; nobody is disconnected.`,
      evidence,
      fix: proposeFix('start-termservice', got.facts),
    });
  }
  if (s.state !== 'Running') {
    return f.problem({
      summary: `Remote Desktop Services (TermService) is stuck in ${s.state ?? 'an unknown state'}, so new RDP connections are accepted and then dropped.`,
      explanation: 'A hung TermService can accept TCP and close it (0x904 / 0x7). Recovering it means killing its process or a reboot, which needs a human at the approval step: escalate.',
      evidence,
    });
  }
  if (s.account && !/network\s*service/i.test(s.account)) {
    return f.warning({
      summary: `TermService runs as ${s.account} instead of NT Authority\\NetworkService, which can break certificate and key access.`,
      explanation: 'The documented account is NETWORK SERVICE; the RDP key ACLs assume it. Set it back with `sc.exe config TermService obj= "NT Authority\\NetworkService"` (needs a restart; escalate).',
      evidence,
    });
  }
  return f.ok(`Remote Desktop Services (TermService) is running (start type ${s.startType ?? 'unknown'}${s.startType === 'Manual' ? ', the Windows default' : ''}).`, 'The service that hosts the RDP listener is up.', evidence);
});

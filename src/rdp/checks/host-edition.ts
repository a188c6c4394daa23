// host-edition (§3.A): Home editions cannot host RDP; a machine still in Sysprep/OOBE has no working listener.
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { valueNumber } from './lib/registry.ts';

export const hostEdition = defineCheck('host-edition', 'Windows edition can host RDP', 'critical', (input, f) => {
  const got = need(input, {
    os: ['the Windows edition (Win32_OperatingSystem / EditionID)', (h) => h.os],
    setup: ['HKLM\\SYSTEM\\Setup SystemSetupInProgress', (h) => h.setupInProgress],
    oobe: ['HKLM\\SYSTEM\\Setup OOBEInProgress', (h) => h.oobeInProgress],
  });
  if (!got.ok) return f.unknown(`Could not tell whether this Windows edition can host RDP: ${got.missing}.`, undefined, got.evidence);
  const { os } = got.v;
  const setup = valueNumber(got.v.setup) ?? 0;
  const oobe = valueNumber(got.v.oobe) ?? 0;
  const evidence = { caption: os.caption, editionId: os.editionId, build: os.buildNumber, productType: os.productType, setupInProgress: setup, oobeInProgress: oobe };
  if (/^core/i.test(os.editionId)) {
    return f.problem({
      summary: `${os.caption} is a Home edition (EditionID ${os.editionId}), which cannot accept Remote Desktop connections at all.`,
      explanation: 'Home editions can only be RDP clients. The fix is an edition upgrade (Pro or Enterprise), a human and licensing decision; rdp-medic cannot change it.',
      evidence,
    });
  }
  if (setup === 1 || oobe === 1) {
    return f.problem({
      summary: `Windows on this host is still in setup (${setup === 1 ? 'SystemSetupInProgress=1' : 'OOBEInProgress=1'}), so the RDP listener does not work yet.`,
      explanation: 'A machine in Sysprep/OOBE state does not run a working RDP listener. Finish or redo the out-of-box setup at the console; do not flip the flags. Escalate to whoever builds the machine.',
      evidence,
    });
  }
  return f.ok(`${os.caption} (${os.editionId}) can host RDP and has finished setup.`, 'The edition supports incoming Remote Desktop connections.', evidence);
});

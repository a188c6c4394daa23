// healthy: the base every scenario starts from; nothing planted, every check should pass.
import type { Scenario } from './types.ts';

export const healthy: Scenario = {
  name: 'healthy',
  description: 'A healthy Windows Server 2022 host: RDP enabled with NLA over TLS, valid self-signed certificate, firewall open.',
  cause: [],
  fix: 'none',
  apply: () => {},
};

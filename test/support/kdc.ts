// The lab's throwaway KDC, for tests (see src/lab/kerberos/kdc.ts).
export { startKdc } from '../../src/lab/kerberos/kdc.ts';
export type { Kdc, KdcOptions } from '../../src/lab/kerberos/kdc.ts';

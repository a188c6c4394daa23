// Certificate factory for the lab hosts' RDP and WinRM certificates (synchronous, node-forge).
export type { CreateCertificateOptions, LabCertificate, LabCaOptions } from './certificate.ts';
export { createCertificate, createLabCa, OID_SERVER_AUTH, thumbprintOf } from './certificate.ts';
export { LAB_KEY_ALGORITHM, LAB_KEY_BITS } from './keys.ts';

// Certificate factory for the lab hosts' RDP and WinRM certificates.
export type { CreateCertificateOptions, LabCertificate, LabCaOptions } from './certificate.ts';
export type { KeyType } from './keys.ts';
export { createCertificate, createLabCa, thumbprintOf } from './certificate.ts';

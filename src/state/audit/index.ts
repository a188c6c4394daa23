// The audit trail on a Redis Stream: append (redacted, validated), history per host, export.
export { Actor, actorOf, AUDIT_KINDS, AuditEntry, AuditInput, AuditKind } from './entry.ts';
export { exportAudit, type ExportOptions } from './export.ts';
export { AuditLog, auditKey, hostAuditKey, type AuditOptions } from './log.ts';
export { redact } from '../../lib/scrub.ts';

// The audit trail on a Redis Stream: append (redacted, validated), history per host, export.
export { Actor, actorOf, AUDIT_FORMAT, AUDIT_KINDS, AuditEntry, AuditInput, AuditKind, isLookup, REFUSAL_STAGES } from './entry.ts';
export { exportAudit, type ExportOptions } from './export.ts';
export { AuditLog, auditKey, hostAuditKey, type AuditOptions, type HistoryOptions } from './log.ts';
export { redact } from '../../lib/scrub.ts';

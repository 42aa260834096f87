export type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  AuditVerifyResult,
  AuditLog,
} from './audit-log.js'

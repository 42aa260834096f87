/** The embedded KMS's tables: every one may hold what the read cache keeps. */
export const KMS_TABLES = [
  'meta',
  'kms_keys',
  'kms_key_versions',
  'kms_aliases',
  'kms_tags',
  'kms_grants',
  'kms_import_tokens',
] as const

/** The embedded KMS's tables. Other modules may add their own tables to the same file. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kms_keys (
  key_id TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  description TEXT NOT NULL,
  state TEXT NOT NULL,
  origin TEXT NOT NULL,
  policy TEXT NOT NULL,
  deletion_ms INTEGER,
  pending_days INTEGER,
  rotation_period_days INTEGER,
  next_rotation_ms INTEGER,
  on_demand_rotations INTEGER NOT NULL DEFAULT 0,
  valid_to_ms INTEGER,
  expiration_model TEXT,
  current_version INTEGER NOT NULL DEFAULT 0,
  imported_material_id TEXT
);
CREATE TABLE IF NOT EXISTS kms_key_versions (
  key_id TEXT NOT NULL REFERENCES kms_keys(key_id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  material TEXT NOT NULL,
  material_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  rotation_type TEXT,
  PRIMARY KEY (key_id, version)
);
CREATE TABLE IF NOT EXISTS kms_aliases (
  alias_name TEXT PRIMARY KEY,
  key_id TEXT NOT NULL REFERENCES kms_keys(key_id) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS kms_aliases_by_key ON kms_aliases(key_id);
CREATE TABLE IF NOT EXISTS kms_tags (
  key_id TEXT NOT NULL REFERENCES kms_keys(key_id) ON DELETE CASCADE,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (key_id, tag_key)
);
CREATE TABLE IF NOT EXISTS kms_grants (
  grant_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL REFERENCES kms_keys(key_id) ON DELETE CASCADE,
  token TEXT NOT NULL UNIQUE,
  name TEXT,
  grantee TEXT NOT NULL,
  retiring TEXT,
  issuing_account TEXT NOT NULL,
  operations TEXT NOT NULL,
  constraints TEXT,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS kms_grants_by_grantee ON kms_grants(key_id, grantee, grant_id);
CREATE INDEX IF NOT EXISTS kms_grants_by_retiring ON kms_grants(retiring, grant_id);
CREATE TABLE IF NOT EXISTS kms_import_tokens (
  token_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL REFERENCES kms_keys(key_id) ON DELETE CASCADE,
  algorithm TEXT NOT NULL,
  private_key TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
);
`

/**
 * The SQLite state layer of TrimLLM Studio (DESIGN.md §4): open the database with openDatabase, then call the
 * repository functions, each of which takes the database as its first argument.
 */
export * from './db.ts';
export { stmt, type SqlValue, type SqlParam } from './driver.ts';
export {
  LATEST_SCHEMA_VERSION,
  MigrationError,
  SchemaTooNewError,
  migrateDatabase,
  schemaVersion,
} from './migrations/index.ts';
export * from './models.ts';
export * from './datasets.ts';
export * from './runs.ts';
export * from './run-timing.ts';
export * from './run-metrics.ts';
export * from './checkpoints.ts';
export * from './evaluations.ts';
export * from './chats.ts';
export * from './settings.ts';
export * from './encryption.ts';
export * from './workspace.ts';
export * from './workspace-key.ts';
export * from './private-files.ts';
export * from './evaluation-cells.ts';

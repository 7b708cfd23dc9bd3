/**
 * Schema version 7: why a run's drop phase ended (runs.stop_reason), which scored sub-layer the engine's drop
 * rule chose (importance_scores.chosen), and a checkpoint's resume state in its own column
 * (checkpoints.resume_state), moved out of `metrics` where earlier versions kept it as `metrics.state`.
 */
import type { Database } from '../driver.ts';

/** Adds the three columns and moves existing resume states. Runs inside the runner's transaction. */
export function updateToSchemaVersion7(db: Database): void {
  db.exec(`
    ALTER TABLE runs ADD COLUMN stop_reason TEXT
      CHECK (stop_reason IS NULL OR stop_reason IN ('kept_fraction', 'param_ratio', 'accuracy_floor', 'max_epochs', 'nothing_left'));
    ALTER TABLE importance_scores ADD COLUMN chosen INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1));
    ALTER TABLE checkpoints ADD COLUMN resume_state TEXT CHECK (resume_state IS NULL OR json_valid(resume_state));
    UPDATE checkpoints
       SET resume_state = json_extract(metrics, '$.state'), metrics = json_remove(metrics, '$.state')
     WHERE json_type(metrics, '$.state') = 'object';
  `);
}

/**
 * Schema version 8: evaluation-matrix cells (issue 18). Each cell of an evaluation job (one model or checkpoint ×
 * one dataset × split × prompt template × record limit) is one `evaluations` row of task 'matrix' with its headline
 * metric, value, standard error, records scored, truncated contexts, template, backend and seconds in columns;
 * a unique index makes a second row for the same cell impossible (the reuse rule, and no duplicates after a
 * killed job resumes).
 */
import type { Database } from '../driver.ts';

/** Adds the cell columns to evaluations and the unique index of matrix cells. Runs inside the runner's transaction. */
export function updateToSchemaVersion8(db: Database): void {
  db.exec(`
    ALTER TABLE evaluations ADD COLUMN metric TEXT;            -- headline metric, e.g. 'acc' or 'next_token_acc'
    ALTER TABLE evaluations ADD COLUMN value REAL;             -- its value in [0, 1]
    ALTER TABLE evaluations ADD COLUMN stderr REAL;            -- its standard error (NULL when n < 2)
    ALTER TABLE evaluations ADD COLUMN truncated INTEGER CHECK (truncated IS NULL OR truncated >= 0);
    ALTER TABLE evaluations ADD COLUMN template TEXT;          -- the prompt template(s) used, as JSON text
    ALTER TABLE evaluations ADD COLUMN backend TEXT;           -- tfjs backend that computed it
    ALTER TABLE evaluations ADD COLUMN seconds REAL CHECK (seconds IS NULL OR seconds >= 0);
    ALTER TABLE evaluations ADD COLUMN record_limit INTEGER CHECK (record_limit IS NULL OR record_limit > 0);
    CREATE UNIQUE INDEX evaluations_matrix_cell ON evaluations
      (model_id, ifnull(checkpoint_id, 0), dataset_id, split, template, ifnull(record_limit, 0))
      WHERE task = 'matrix';
  `);
}

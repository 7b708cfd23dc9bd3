/**
 * Dataset import and normalisation (DESIGN.md §3 `data/`): readers (JSON Lines, JSON, CSV/TSV, Parquet, text,
 * `.lst` label files), task-type and field-mapping detection, normalisation, splits, prompt formatting and
 * truncation to the model's context length.
 */
export * from './types.ts';
export * from './limits.ts';
export * from './errors.ts';
export * from './mapping.ts';
export { detectMapping, type MappingProposal } from './detect.ts';
export { normaliseRecord, type NormaliseResult, type RecordBody } from './normalise.ts';
export * from './read-path.ts';
export { parseJsonl, parseJsonFile } from './read-json.ts';
export { parseCsv, looksLikeHeader, type CsvOptions } from './read-csv.ts';
export { parseParquet } from './read-parquet.ts';
export { parseText, decodeUtf8, type TextSplitMode } from './read-text.ts';
export { attachLabels } from './read-labels.ts';
export * from './split.ts';
export * from './import.ts';
export * from './templates.ts';
export * from './prompts.ts';
export * from './truncate.ts';
export * from './tokenize.ts';

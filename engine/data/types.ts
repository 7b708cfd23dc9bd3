/**
 * Dataset vocabulary shared by the readers, detection, normalisation, prompts and truncation (DESIGN.md §1–§2).
 *
 * A reader turns a file into {@link RawRecord}s (field name → value, plus where the record came from). A
 * mapping (see mapping.ts) turns each raw record into one {@link NormalisedRecord} of a single {@link TaskType}.
 */

/** The kinds of data the app can fine-tune and evaluate on. */
export type TaskType = 'mcq' | 'yesno' | 'instruction' | 'chat' | 'text';

/** Every task type, in detection priority order. */
export const TASK_TYPES: readonly TaskType[] = ['chat', 'mcq', 'yesno', 'instruction', 'text'];

/** The canonical splits of an imported dataset. */
export type Split = 'train' | 'validation' | 'test';

/**
 * Where a record came from, for error messages and provenance. `row` is always present; `line` is present for
 * line-based formats (JSON Lines, JSON, CSV/TSV, text), where it is the 1-based line on which the record starts.
 */
export interface RecordLocation {
  /** Path of the file as the user gave it (or the folder path joined with the file's relative path). */
  file: string;
  /** 1-based record number within the file: data row of a CSV/Parquet file (header excluded), element of a JSON
   *  array or object, record of a JSON Lines file (blank lines not counted), paragraph/document of a text file. */
  row: number;
  /** 1-based line where the record starts, when the format has lines. */
  line?: number;
  /** The key of the record when the file is a JSON object keyed by id (PubMedQA). */
  key?: string;
}

/** One record as read from a file, before any mapping: field names as in the file. */
export interface RawRecord {
  /** Field name → value. Headerless CSV/TSV columns are named `col1`, `col2`, … (1-based). */
  fields: Record<string, unknown>;
  loc: RecordLocation;
  /** Split named by the folder layout or file name (`train`, `dev`, `val`, `test`, …), when there is one. */
  sourceSplit?: string;
  /**
   * Why the record could not be read (a line that is not JSON, a CSV row with the wrong number of columns), when
   * it could not; its `fields` are then empty. The import skips and lists it like a record that does not fit.
   */
  unreadable?: string;
}

/** Chat roles after normalisation. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** One turn of a normalised conversation. */
export interface NormalisedMessage {
  role: ChatRole;
  content: string;
}

/** Fields every normalised record has, whatever its task. */
interface RecordBase {
  /** Stable id: the record's own id field when mapped, the JSON key, else `<file name>:<row>`. */
  id: string;
  /** Provenance of the record. */
  source: RecordLocation;
  /** Split the record belongs to (assigned by importDataset). */
  split: Split;
  /** The split the source layout named, e.g. MMLU's `dev`, when there was one. */
  sourceSplit?: string;
}

/** Multiple choice: `answer` is the 0-based index of the gold choice in `choices`. */
export interface McqRecord extends RecordBase {
  task: 'mcq';
  question: string;
  choices: string[];
  answer: number;
}

/**
 * Yes/no(/maybe) question, optionally with a context passage. `choices` are the label strings as the dataset
 * spells them (e.g. `['yes','no','maybe']`, `['Yes','No']`); `answer` is a 0-based index into them.
 */
export interface YesNoRecord extends RecordBase {
  task: 'yesno';
  question: string;
  context?: string;
  choices: string[];
  answer: number;
}

/** Instruction tuning (Alpaca layout); `input` is '' when the record has none. */
export interface InstructionRecord extends RecordBase {
  task: 'instruction';
  instruction: string;
  input: string;
  output: string;
}

/** A conversation with at least one non-empty assistant turn. */
export interface ChatRecord extends RecordBase {
  task: 'chat';
  messages: NormalisedMessage[];
}

/** Raw text for language modelling. */
export interface TextRecord extends RecordBase {
  task: 'text';
  text: string;
}

/** A normalised record; discriminated by `task`. */
export type NormalisedRecord = McqRecord | YesNoRecord | InstructionRecord | ChatRecord | TextRecord;

/** A record that was left out of an import because it did not fit the mapping. */
export interface SkippedRecord {
  file: string;
  /** 1-based line where the record starts, when the format has lines. */
  line?: number;
  /** 1-based record number within the file (see {@link RecordLocation.row}). */
  row: number;
  /** The mapped field (source field name, possibly with a sub-path such as `conversations[2].from`); empty for a record that could not be read. */
  field: string;
  /** What was wrong, in words a user can act on. */
  reason: string;
}

/** Human-readable place of a record: `line 12` when the line is known, else `row 12`, plus the key if any. */
export function describeLocation(loc: { line?: number; row: number; key?: string }): string {
  const where = loc.line !== undefined ? `line ${loc.line}` : `row ${loc.row}`;
  return loc.key !== undefined ? `${where} (key "${loc.key}")` : where;
}

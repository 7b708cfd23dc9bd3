/**
 * Errors for untrusted input. Every message names the file (and where it applies, the record, line or field)
 * and the problem, so the CLI and the UI can show it as is.
 */

/** A file that cannot be used as what it was given as: malformed, truncated, of the wrong kind. */
export class InputFileError extends Error {
  override readonly name: string = 'InputFileError';
  /**
   * @param file path of the offending file, as the user gave it
   * @param problem what is wrong, in words a user can act on
   */
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/**
 * Runs a check whose plain Error messages read `<file>: problem` (validateConfig) and turns such an error into
 * an InputFileError naming `file`, so callers see one error class for a bad file.
 * @throws InputFileError naming `file` when `check` throws
 */
export function checkAsInputFile(file: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new InputFileError(file, message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message);
  }
}

/**
 * The error for a tokenizer with more tokens than the model's embedding has rows (its ids would index past the
 * embedding). Fewer is fine: Hugging Face models often pad the vocabulary.
 * @param path the tokenizer file or folder
 * @param tokens the tokenizer's number of tokens
 * @param rows the model's vocabulary size (embedding rows)
 */
export function tokenizerMismatch(path: string, tokens: number, rows: number): InputFileError {
  return new InputFileError(path, `this tokenizer has ${tokens} tokens, but the model's embedding has ${rows} rows; pass the tokenizer the model was trained with`);
}

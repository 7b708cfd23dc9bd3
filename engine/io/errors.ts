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

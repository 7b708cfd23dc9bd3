/**
 * A tokenizer for worker threads that cannot load the real one cheaply: the main thread records every text a
 * calibration evaluation will encode (the (context, continuation) pairs of encode-pair.ts), sends the text → ids
 * table, and the worker replays it. Replaying gives the evaluation exactly the ids of the real tokenizer.
 */
import type { Tokenizer } from '../io/tokenizer.ts';
import { encodePair } from '../eval/encode-pair.ts';
import type { Evaluable } from '../trim/prepare.ts';

/** What a worker needs to replay a tokenizer (structured-clonable). */
export interface RecordedEncodings {
  vocabSize: number;
  bosId: number | null;
  eosIds: number[];
  /** text → ids of every encode() the evaluation makes. */
  entries: [string, number[]][];
}

/** Records the encodings a calibration evaluation of `data` will ask for (none for token data). */
export function recordEncodings(tokenizer: Tokenizer, data: Evaluable): RecordedEncodings {
  const entries = new Map<string, number[]>();
  const recorder: Tokenizer = {
    vocabSize: tokenizer.vocabSize,
    bosId: tokenizer.bosId,
    eosIds: tokenizer.eosIds,
    encode: (text, options) => {
      const ids = tokenizer.encode(text, options);
      entries.set(text, ids);
      return ids;
    },
    decode: (ids, options) => tokenizer.decode(ids, options),
    applyChatTemplate: (m, g) => tokenizer.applyChatTemplate(m, g),
  };
  if (data.kind === 'choice') {
    for (const item of data.items) for (const c of item.continuations) encodePair(recorder, item.context, c);
  }
  return { vocabSize: tokenizer.vocabSize, bosId: tokenizer.bosId, eosIds: [...tokenizer.eosIds], entries: [...entries] };
}

/**
 * A tokenizer that answers encode() from a recording.
 * @returns a Tokenizer whose encode throws on a text not recorded, and whose decode / chat template throw
 */
export function replayTokenizer(recorded: RecordedEncodings): Tokenizer {
  const table = new Map(recorded.entries);
  return {
    vocabSize: recorded.vocabSize,
    bosId: recorded.bosId,
    eosIds: recorded.eosIds,
    encode: (text) => {
      const ids = table.get(text);
      if (!ids) throw new Error(`recorded tokenizer: text not recorded (${JSON.stringify(text.slice(0, 60))})`);
      return [...ids];
    },
    decode: () => {
      throw new Error('recorded tokenizer: decode is not available in a worker');
    },
    applyChatTemplate: () => {
      throw new Error('recorded tokenizer: chat templates are not available in a worker');
    },
  };
}

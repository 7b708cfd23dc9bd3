/** The name a newly imported dataset gets when the user gives none. */
import { basename, dirname, extname, resolve } from 'node:path';

/** File names that say which split a file holds, not what the dataset is (dev.json, train-00000-of-00001.parquet). */
const GENERIC = /^(train|training|dev|development|test|testing|val|valid|validation|eval|data|dataset|default|all|sample|split)([-_.]\d+(-of-\d+)?)?$/i;

/**
 * The dataset's default name: the file's name without its extension, or its folder's name when the file's name
 * only says which split it is (medmcqa/dev.json → "medmcqa"); a folder is named after itself.
 */
export function defaultDatasetName(path: string): string {
  const full = resolve(path);
  const stem = basename(full, extname(full));
  return extname(full) !== '' && GENERIC.test(stem) ? basename(dirname(full)) : stem;
}

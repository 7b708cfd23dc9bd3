/**
 * The Datasets page's form state (path, task, mapping) and the preview it belongs to. Detection fills the task and
 * mapping boxes so that the import uses exactly what was previewed; those filled-in values belong to that path
 * only: changing the path puts them back to "detect automatically" and drops the old preview, while a value the
 * user typed (before or after a preview) is kept.
 */

/** Task types the import understands ('' = detect automatically). */
export type DatasetTask = '' | 'mcq' | 'yesno' | 'instruction' | 'chat' | 'text';

/** The form's state; `P` is the preview response. */
export interface DatasetFormState<P> {
  path: string;
  task: DatasetTask;
  map: string;
  /** Values that came from the last preview's detection (not typed by the user); null when none were filled in. */
  detected: { task: DatasetTask | null; map: string | null };
  /** The last preview of this path, or null. */
  preview: P | null;
  /** The request signature (datasetRequest as JSON) the preview was taken with. */
  previewedWith: string;
}

/** The empty form. */
export function initialDatasetForm<P>(): DatasetFormState<P> {
  return { path: '', task: '', map: '', detected: { task: null, map: null }, preview: null, previewedWith: '' };
}

/** The datasets.preview / datasets.import request of the form's fields (trimmed; empty task and mapping left out). */
export function datasetRequest(path: string, task: DatasetTask, map: string): { path: string; task?: Exclude<DatasetTask, ''>; map?: string } {
  return { path: path.trim(), ...(task ? { task } : {}), ...(map.trim() ? { map: map.trim() } : {}) };
}

/** Form edits and preview results. */
export type DatasetFormAction<P> =
  | { type: 'path'; value: string }
  | { type: 'task'; value: DatasetTask }
  | { type: 'map'; value: string }
  /** `path`: the path the preview was asked for (a result for a path changed meanwhile is ignored). */
  | { type: 'previewed'; path: string; preview: P; taskType: string; mapping: string };

/**
 * The next state. A new path (different after trimming) clears the preview and resets the task and mapping that
 * detection filled in; user-typed values stay. A preview result fills the empty task and mapping with what was
 * detected and remembers them as detected.
 */
export function datasetFormReducer<P>(s: DatasetFormState<P>, a: DatasetFormAction<P>): DatasetFormState<P> {
  switch (a.type) {
    case 'path': {
      if (a.value.trim() === s.path.trim()) return { ...s, path: a.value };
      const task = s.detected.task !== null && s.task === s.detected.task ? '' : s.task;
      const map = s.detected.map !== null && s.map === s.detected.map ? '' : s.map;
      return { path: a.value, task, map, detected: { task: null, map: null }, preview: null, previewedWith: '' };
    }
    case 'task':
      return { ...s, task: a.value, detected: { ...s.detected, task: null } };
    case 'map':
      return { ...s, map: a.value, detected: { ...s.detected, map: null } };
    case 'previewed': {
      if (a.path.trim() !== s.path.trim()) return s;
      const task = s.task || (a.taskType as DatasetTask);
      const map = s.map.trim() || a.mapping;
      return {
        ...s, task, map, preview: a.preview,
        detected: { task: s.task ? s.detected.task : task, map: s.map.trim() ? s.detected.map : map },
        previewedWith: JSON.stringify(datasetRequest(s.path, task, map)),
      };
    }
  }
}

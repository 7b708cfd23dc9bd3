/** The result of datasets.preview: detected task, counts, notes, sample records and skipped records. */
import type { Response } from '../../../electron/api/contract.ts';
import { EmptyState } from './ui.tsx';

type Preview = Response<'datasets.preview'>;

/** A record field as text: lists joined, a record's source as `file:line`, anything else as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' | ');
  if (typeof value === 'object' && typeof (value as { file?: unknown }).file === 'string') {
    const src = value as { file: string; line?: unknown; row?: unknown };
    const where = typeof src.line === 'number' ? `:${src.line}` : typeof src.row === 'number' ? ` row ${src.row}` : '';
    return `${src.file.split(/[\\/]/).pop()}${where}`;
  }
  return JSON.stringify(value);
}

/** Columns not worth a column: the task type is shown above the table; ids mean nothing to a reader. */
const HIDDEN_COLUMNS = new Set(['task', 'id', 'uuid']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Headers in words for the normalised record fields. */
const COLUMN_LABELS: Record<string, string> = {
  question: 'Question', choices: 'Choices', answer: 'Correct answer', context: 'Context', instruction: 'Instruction',
  input: 'Input', output: 'Answer', messages: 'Conversation', text: 'Text', source: 'From', split: 'Used for',
};

/** A cell's text; a multiple-choice answer index becomes its letter and choice ("B: the heart"). */
function cellOf(r: Record<string, unknown>, column: string): string {
  const v = r[column];
  if (column === 'answer' && typeof v === 'number' && Array.isArray(r.choices)) return `${String.fromCharCode(65 + v)}: ${cell(r.choices[v])}`;
  if (column === 'choices' && Array.isArray(v)) return v.map((c, i) => `${String.fromCharCode(65 + i)}: ${cell(c)}`).join(' | ');
  return cell(v);
}

function SampleTable({ sample }: { sample: unknown[] }) {
  const rows = sample.map((r) => (typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Record<string, unknown>) : { value: r }));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
    .filter((c) => !HIDDEN_COLUMNS.has(c) && !rows.every((r) => typeof r[c] === 'string' && UUID.test(r[c])))
    .slice(0, 8);
  if (rows.length === 0) return <EmptyState title="No records could be read">Check the skipped records below and the task mapping.</EmptyState>;
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Sample records (scrolls sideways)">
      <table data-testid="dataset-sample" className="w-full text-left text-sm">
        <caption className="sr-only">Sample of normalised records</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-600">
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-2 py-1.5 font-medium">
                {COLUMN_LABELS[c] ?? c.replace(/_/g, ' ')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const text = cellOf(r, c);
                return (
                  <td key={c} className="max-w-xs truncate px-2 py-1.5 align-top text-slate-800" title={text}>
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SkippedTable({ skipped }: { skipped: Preview['skipped'] }) {
  return (
    <div className="max-h-64 overflow-auto">
      <table data-testid="dataset-skipped" className="w-full text-left text-sm">
        <caption className="sr-only">Skipped records</caption>
        <thead className="sticky top-0 border-b border-slate-200 bg-white text-xs uppercase text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-medium">File</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Line / row</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Field</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Reason</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {skipped.map((s, i) => (
            <tr key={i}>
              <td className="max-w-[14rem] truncate px-2 py-1 font-mono text-xs" title={s.file}>{s.file}</td>
              <td className="px-2 py-1 tabular-nums">{s.line !== undefined ? `line ${s.line}` : `row ${s.row}`}</td>
              <td className="px-2 py-1 font-mono text-xs">{s.field}</td>
              <td className="px-2 py-1 text-slate-700">{s.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Shows one preview. */
export function DatasetPreviewView({ preview }: { preview: Preview }) {
  return (
    <div data-testid="dataset-preview" className="flex flex-col gap-4">
      <div className="flex flex-wrap gap-3 text-sm">
        <span className="rounded-md bg-blue-50 px-2 py-1 text-blue-900">
          Task type: <strong data-testid="dataset-task-type">{preview.taskType}</strong>
        </span>
        <span className="rounded-md bg-slate-50 px-2 py-1">
          Records: <strong className="tabular-nums">{preview.total}</strong>
        </span>
        {Object.entries(preview.counts).map(([k, v]) => (
          <span key={k} className="rounded-md bg-slate-50 px-2 py-1">
            {k}: <strong className="tabular-nums">{v}</strong>
          </span>
        ))}
        <span className={`rounded-md px-2 py-1 ${preview.skipped.length ? 'bg-amber-50 text-amber-900' : 'bg-green-50 text-green-900'}`}>
          Skipped: <strong className="tabular-nums">{preview.skipped.length}</strong>
        </span>
      </div>
      {preview.notes.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-slate-700">
          {preview.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <div>
        <h3 className="mb-1 text-sm font-medium text-slate-700">Sample records</h3>
        <SampleTable sample={preview.sample} />
      </div>
      {preview.skipped.length > 0 && (
        <div>
          <h3 className="mb-1 text-sm font-medium text-slate-700">Skipped records ({preview.skipped.length})</h3>
          <SkippedTable skipped={preview.skipped} />
        </div>
      )}
    </div>
  );
}

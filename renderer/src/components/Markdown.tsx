/**
 * Renders the small Markdown subset the run report uses (engine/report/markdown.ts): `#`/`##` headings,
 * pipe tables, `- ` lists, images (shown by their alt text: the plots have their own buttons), `**bold**` and
 * `code`, and paragraphs. Text only: nothing is inserted as HTML.
 */
import type { ReactNode } from 'react';

function inline(text: string): ReactNode[] {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/g).map((part, i) =>
    part.startsWith('**') && part.endsWith('**') ? <strong key={i}>{part.slice(2, -2)}</strong>
      : part.startsWith('`') && part.endsWith('`') ? <code key={i} className="rounded bg-slate-100 px-1">{part.slice(1, -1)}</code>
        : part);
}

const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/** The rendered document. */
export function Markdown({ text, testId }: { text: string; testId?: string }) {
  const lines = text.split('\n');
  const out: ReactNode[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (heading) {
      const cls = heading[1]!.length === 1 ? 'text-lg font-semibold' : 'mt-3 text-base font-semibold';
      out.push(<p key={i} role="heading" aria-level={heading[1]!.length + 2} className={cls}>{inline(heading[2]!)}</p>);
    } else if (line.trim().startsWith('|')) {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.trim().startsWith('|')) block.push(lines[i++]!);
      i--;
      const [head, , ...body] = block;
      out.push(
        <div key={i} className="overflow-x-auto" tabIndex={0} role="region" aria-label="Report table (scrolls sideways)">
          <table className="my-2 text-left text-xs">
            <thead><tr>{cells(head!).map((c, k) => <th key={k} scope="col" className="border-b border-slate-200 px-2 py-1 font-medium">{inline(c)}</th>)}</tr></thead>
            <tbody>{body.map((r, j) => <tr key={j}>{cells(r).map((c, k) => <td key={k} className="border-b border-slate-100 px-2 py-1">{inline(c)}</td>)}</tr>)}</tbody>
          </table>
        </div>,
      );
    } else if (/^\s*[-*]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i]!)) items.push(lines[i++]!.replace(/^\s*[-*]\s+/, ''));
      i--;
      out.push(<ul key={i} className="my-1 list-disc pl-5">{items.map((t, k) => <li key={k}>{inline(t)}</li>)}</ul>);
    } else if (/^!\[[^\]]*\]\([^)]*\)$/.test(line.trim())) {
      continue; // plots: shown with their own buttons
    } else if (line.trim() !== '') {
      out.push(<p key={i} className="my-1">{inline(line)}</p>);
    }
  }
  return <div data-testid={testId} className="max-h-[32rem] overflow-auto rounded border border-slate-200 bg-white p-3 text-sm text-slate-800">{out}</div>;
}

/** One chat message; assistant messages show their decode speed when known. */
import type { ReactNode } from 'react';
import { formatNumber } from '../../lib/format.ts';

const STOP_REASONS: Record<string, string> = {
  max_tokens: 'reached the length limit',
  stop_token: 'finished',
  stop_string: 'finished',
  context_full: 'the model cannot read more text (its context is full)',
  aborted: 'stopped',
};

/** Why an answer ended, in words (generate.ts reasons); unknown reasons are shown with spaces. */
export function stopReasonText(reason: string): string {
  return STOP_REASONS[reason] ?? reason.replace(/_/g, ' ');
}

/** Stats of a finished answer, when the message carries them. */
export function statsLine(stats: unknown): string | null {
  if (typeof stats !== 'object' || stats === null) return null;
  const s = stats as { tokens?: unknown; decodeTokensPerSecond?: unknown; reason?: unknown };
  const parts: string[] = [];
  if (typeof s.tokens === 'number') parts.push(`${s.tokens} tokens`);
  if (typeof s.decodeTokensPerSecond === 'number') parts.push(`${formatNumber(s.decodeTokensPerSecond)} tokens/s`);
  if (typeof s.reason === 'string') parts.push(stopReasonText(s.reason));
  return parts.length ? parts.join(' · ') : null;
}

/** A bubble: user right, assistant left, system centred. */
export function MessageBubble({ role, content, stats, streaming = false, children }: { role: string; content: string; stats?: unknown; streaming?: boolean; children?: ReactNode }) {
  const line = statsLine(stats);
  const align = role === 'user' ? 'items-end' : role === 'system' ? 'items-center' : 'items-start';
  const colours = role === 'user' ? 'bg-blue-600 text-white' : role === 'system' ? 'bg-slate-200 text-slate-700 italic' : 'bg-white text-slate-900 border border-slate-200';
  return (
    <li data-testid="chat-message" data-role={role} data-streaming={streaming || undefined} className={`flex flex-col gap-1 ${align}`}>
      <span className="sr-only">{role === 'user' ? 'You' : role === 'assistant' ? 'Model' : 'System'}:</span>
      <div className={`max-w-[80%] whitespace-pre-wrap [overflow-wrap:anywhere] rounded-lg px-3 py-2 text-sm shadow-sm ${colours}`}>
        {content}
        {streaming && <span aria-hidden="true" className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-slate-400 align-text-bottom" />}
        {streaming && content === '' && <span className="text-slate-600">Prefill…</span>}
      </div>
      {line && (
        <span data-testid="chat-stats" className="text-xs text-slate-600">
          {line}
        </span>
      )}
      {children}
    </li>
  );
}

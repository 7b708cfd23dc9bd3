/**
 * The quality check of a run: three short answers to questions the model was not trained on (the dataset's test
 * part, else its checking part), written with the same settings (greedy, 48 tokens) by the base model and by a
 * checkpoint, side by side, so a reader sees whether trimming broke how the model writes. Runs on request: each
 * answer is a throwaway chat, deleted afterwards.
 */
import { useState } from 'react';
import { useApi } from '../api/context.tsx';
import { useAction } from '../hooks/useCall.ts';
import type { StudioClient } from '../api/types.ts';
import { Button, ErrorBox } from './ui.tsx';

/** Same settings for every answer: greedy, short. */
const CHECK_SAMPLING = { temperature: 0, topP: 1, topK: 0, maxTokens: 48, repetitionPenalty: 1.1 };
const PROMPTS = 3;

/** The question of a normalised record (mcq/yes-no question, instruction, first chat turn, or text start). */
export function promptOf(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return null;
  const r = record as { question?: unknown; instruction?: unknown; input?: unknown; messages?: { content?: unknown }[]; text?: unknown };
  if (typeof r.question === 'string') return r.question;
  if (typeof r.instruction === 'string') return typeof r.input === 'string' && r.input ? `${r.instruction}\n${r.input}` : r.instruction;
  if (Array.isArray(r.messages) && typeof r.messages[0]?.content === 'string') return r.messages[0].content;
  if (typeof r.text === 'string') return r.text.slice(0, 200);
  return null;
}

async function answer(api: StudioClient, source: { modelId: number } | { checkpointId: number }, prompt: string): Promise<string> {
  const chat = await api.call('chats.create', { ...source, title: 'Quality check', sampling: CHECK_SAMPLING });
  try {
    await api.call('chats.send', { chatId: chat.id, content: prompt, sampling: CHECK_SAMPLING });
    for (;;) {
      const messages = await api.call('chats.messages', { chatId: chat.id });
      const reply = messages.find((m) => m.role === 'assistant' && m.stats !== null);
      if (reply) return reply.content;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await api.call('chats.delete', { chatId: chat.id });
  }
}

/** The check for checkpoint `checkpointId` (named `label`) of a run on `modelId`, with prompts from `datasetPath`. */
export function QualityCheck({ modelId, checkpointId, label, datasetPath }: { modelId: number; checkpointId: number; label: string; datasetPath: string }) {
  const api = useApi();
  const action = useAction();
  const [rows, setRows] = useState<{ prompt: string; base: string; trimmed: string }[] | null>(null);
  const run = () => void action.run(async () => {
    const preview = await api.call('datasets.preview', { path: datasetPath });
    const split = (s: string) => preview.sample.filter((r) => (r as { split?: unknown }).split === s);
    const pool = [...split('test'), ...split('validation'), ...preview.sample];
    const prompts = [...new Set(pool.map(promptOf).filter((p): p is string => !!p))].slice(0, PROMPTS);
    const out: { prompt: string; base: string; trimmed: string }[] = [];
    for (const prompt of prompts) {
      out.push({ prompt, base: await answer(api, { modelId }, prompt), trimmed: await answer(api, { checkpointId }, prompt) });
      setRows([...out]);
    }
  });
  return (
    <div data-testid="quality-check" className="flex flex-col gap-3 text-sm">
      <p className="text-slate-700">
        Does the trimmed model still write sensibly? Three questions it was not trained on, answered by the base model and by <strong>{label}</strong> with the same settings (always the likeliest word, up to 48 tokens).
      </p>
      <div><Button onClick={run} busy={action.busy} data-testid="quality-check-run">{rows ? 'Write them again' : 'Write sample answers'}</Button></div>
      <ErrorBox error={action.error} />
      {rows?.map((r, i) => (
        <div key={i} className="rounded border border-slate-200 p-2" data-testid="quality-sample">
          <p className="font-medium text-slate-900 [overflow-wrap:anywhere]">{r.prompt}</p>
          <div className="mt-1 grid gap-2 sm:grid-cols-2">
            <div><p className="text-xs text-slate-600">Base model</p><p className="whitespace-pre-wrap [overflow-wrap:anywhere]">{r.base}</p></div>
            <div><p className="text-xs text-slate-600">{label}</p><p className="whitespace-pre-wrap [overflow-wrap:anywhere]">{r.trimmed}</p></div>
          </div>
        </div>
      ))}
    </div>
  );
}

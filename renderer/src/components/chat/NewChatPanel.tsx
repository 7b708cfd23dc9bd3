/** Starts a chat with a base model or a checkpoint of a trim run. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/context.tsx';
import { useAction, useCall } from '../../hooks/useCall.ts';
import { Button, Card, EmptyState, ErrorBox, Link, SelectField, Spinner, TextField } from '../ui.tsx';
import { checkpointLabel, entryOf, metricLabel } from '../../lib/metrics.ts';
import { formatPercent } from '../../lib/format.ts';
import type { Sampling } from '../../lib/sampling.ts';

/** `onChange` gets the checkpoint's id. */
function CheckpointSelect({ runId, value, onChange }: { runId: number; value: number | ''; onChange: (id: number) => void }) {
  const run = useCall('runs.get', { id: runId });
  if (run.error) return <ErrorBox error={run.error} onRetry={run.reload} />;
  if (!run.data) return <Spinner label="Loading checkpoints…" />;
  const cps = [...run.data.checkpoints].sort((a, b) => a.step - b.step);
  if (cps.length === 0) return <p className="text-sm text-slate-600">This run has no checkpoints yet.</p>;
  const selected = value === '' ? '' : String(value);
  return (
    <SelectField
      label="Checkpoint"
      value={selected}
      onChange={(e) => {
        const c = cps.find((x) => x.id === Number(e.target.value));
        if (c) onChange(c.id);
      }}
      options={[
        { value: '', label: 'Choose a checkpoint…' },
        ...cps.map((c) => {
          const e = entryOf(c.metrics);
          const kept = c.keepMask.filter(Boolean).length;
          return { value: String(c.id), label: `${checkpointLabel(c.label)} · ${kept}/${c.keepMask.length} kept${e ? ` · ${metricLabel(e.metric)} ${formatPercent(e.performance)}` : ''}` };
        }),
      ]}
      data-testid="new-chat-checkpoint"
    />
  );
}

/** The form; `onCreated` receives the new chat's id. */
export function NewChatPanel({ sampling, onCreated }: { sampling: Sampling; onCreated: (id: number) => void }) {
  const api = useApi();
  const models = useCall('models.list', {});
  const runs = useCall('runs.list', {});
  const [chosenSource, setSource] = useState<'checkpoint' | 'model'>('checkpoint');
  const [modelId, setModelId] = useState<number | ''>('');
  const [runId, setRunId] = useState<number | ''>('');
  const [checkpointId, setCheckpointId] = useState<number | ''>('');
  const [title, setTitle] = useState('');
  const action = useAction();
  const runList = [...(runs.data ?? [])].sort((a, b) => b.createdAt - a.createdAt);
  const modelList = models.data ?? [];
  const source = runList.length === 0 ? 'model' : chosenSource;
  const ready = source === 'model' ? modelId !== '' : checkpointId !== '';

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    const chatTitle = title.trim(); // empty: the chat is named after its first message
    const chat = await action.run(() =>
      api.call('chats.create', {
        ...(chatTitle ? { title: chatTitle } : {}),
        ...(source === 'model' ? { modelId: Number(modelId) } : { checkpointId: Number(checkpointId) }),
        sampling,
      }),
    );
    if (chat) onCreated(chat.id);
  };

  if ((models.loading && !models.data) || (runs.loading && !runs.data)) return <Spinner label="Loading models and runs…" />;
  if (modelList.length === 0) {
    return (
      <EmptyState title="Nothing to chat with yet">
        <Link to="/models">Import a model</Link>, or <Link to="/trim">trim one</Link> and open a checkpoint in chat.
      </EmptyState>
    );
  }
  return (
    <Card title="New chat" testId="new-chat">
      <ErrorBox error={models.error ?? runs.error} />
      <form onSubmit={create} className="flex max-w-xl flex-col gap-3" aria-label="New chat">
        <fieldset className="flex gap-4 text-sm">
          <legend className="mb-1 text-sm font-medium text-slate-700">Chat with</legend>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="source" checked={source === 'checkpoint'} onChange={() => setSource('checkpoint')} disabled={runList.length === 0} /> a trimmed checkpoint
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="source" checked={source === 'model'} onChange={() => setSource('model')} /> a base model
          </label>
        </fieldset>
        {source === 'checkpoint' ? (
          <>
            <SelectField label="Run" value={runId === '' ? '' : String(runId)} onChange={(e) => { setRunId(e.target.value ? Number(e.target.value) : ''); setCheckpointId(''); }} options={[{ value: '', label: 'Choose a run…' }, ...runList.map((r) => ({ value: String(r.id), label: `Run ${r.id} (${r.status})` }))]} data-testid="new-chat-run" />
            {runId !== '' && <CheckpointSelect runId={runId} value={checkpointId} onChange={setCheckpointId} />}
          </>
        ) : (
          <SelectField label="Model" value={modelId === '' ? '' : String(modelId)} onChange={(e) => { setModelId(e.target.value ? Number(e.target.value) : ''); }} options={[{ value: '', label: 'Choose a model…' }, ...modelList.map((m) => ({ value: String(m.id), label: m.name }))]} data-testid="new-chat-model" />
        )}
        <TextField label="Title (optional)" hint="Leave it empty to name the chat after your first message." value={title} onChange={(e) => setTitle(e.target.value)} data-testid="new-chat-title" />
        <ErrorBox error={action.error} />
        <div>
          <Button type="submit" variant="primary" busy={action.busy} disabled={!ready} data-testid="new-chat-create">
            Start chat
          </Button>
        </div>
      </form>
    </Card>
  );
}

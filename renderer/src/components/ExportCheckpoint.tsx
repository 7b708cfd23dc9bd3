/**
 * Export of one checkpoint (API `checkpoints.export`): as a Hugging Face folder, or as one GGUF file for
 * llama.cpp, Ollama and LM Studio at a chosen size; shows progress (`export.progress`) and where the files went.
 */
import { useState } from 'react';
import type { Response } from '../../../electron/api/contract.ts';
import { useApi, useEvent } from '../api/context.tsx';
import { useAction } from '../hooks/useCall.ts';
import { formatBytes } from '../lib/format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { Button, ErrorBox, SelectField, TextField } from './ui.tsx';

type Format = 'hf' | 'gguf';
type Dtype = 'F32' | 'BF16' | 'F16' | 'Q8_0' | 'Q4_0';

const FORMATS: { value: Format; label: string }[] = [
  { value: 'gguf', label: 'One file for Ollama, LM Studio, llama.cpp (GGUF)' },
  { value: 'hf', label: 'Hugging Face folder (for Python tools)' },
];
const SIZES: Record<Format, { value: Dtype; label: string }[]> = {
  gguf: [
    { value: 'Q8_0', label: 'Small, near-identical answers (8-bit, Q8_0)' },
    { value: 'Q4_0', label: 'Smallest, slightly less accurate (4-bit, Q4_0)' },
    { value: 'F16', label: 'Half precision (F16)' },
    { value: 'F32', label: 'Full precision, largest (F32)' },
  ],
  hf: [
    { value: 'F32', label: 'Full precision (F32)' },
    { value: 'BF16', label: 'Half the size (BF16)' },
  ],
};

/** The export form of checkpoint `checkpointId`. */
export function ExportCheckpoint({ checkpointId }: { checkpointId: number }) {
  const api = useApi();
  const action = useAction();
  const [format, setFormat] = useState<Format>('gguf');
  const [dtype, setDtype] = useState<Dtype>('Q8_0');
  const [destination, setDestination] = useState('');
  const [fraction, setFraction] = useState<number | null>(null);
  const [result, setResult] = useState<Response<'checkpoints.export'> | null>(null);
  useEvent('export.progress', (p) => p.checkpointId === checkpointId && setFraction(p.fraction));

  const start = async () => {
    setResult(null);
    setFraction(0);
    const r = await action.run(() => api.call('checkpoints.export', { id: checkpointId, format, dtype, destination: destination.trim() }));
    setFraction(null);
    if (r) setResult(r);
  };

  return (
    <div data-testid={`export-form-${checkpointId}`} className="space-y-3 rounded-md bg-slate-50 p-3 text-sm">
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField label="Format" value={format} options={FORMATS} data-testid="export-format"
          onChange={(e) => { const f = e.target.value as Format; setFormat(f); setDtype(SIZES[f][0]!.value); }} />
        <SelectField label="Size" value={dtype} options={SIZES[format]} data-testid="export-dtype"
          onChange={(e) => setDtype(e.target.value as Dtype)} />
        <TextField label="Save in folder" value={destination} placeholder="/home/me/models/my-model" data-testid="export-destination"
          hint={format === 'hf' ? 'A new, empty folder.' : 'The file and an Ollama Modelfile go in this folder.'}
          onChange={(e) => setDestination(e.target.value)} />
      </div>
      <Button variant="primary" busy={action.busy} disabled={action.busy || destination.trim() === ''} onClick={() => void start()} data-testid="export-start">
        Export
      </Button>
      {fraction !== null && <ProgressBar label="Writing the model" done={Math.round(fraction * 100)} total={100} testId="export-progress" />}
      <ErrorBox error={action.error} />
      {result && (
        <div data-testid="export-result" className="space-y-1">
          <p>Saved <code className="break-all" data-testid="export-path">{result.path}</code> ({formatBytes(result.bytes)}).</p>
          {result.ollamaCommand && <p>To use it in Ollama, run: <code className="break-all">{result.ollamaCommand}</code></p>}
          {result.lmStudioFolder && <p>For LM Studio, copy the file into a folder under <code className="break-all">{result.lmStudioFolder}</code>.</p>}
          {result.notes.length > 0 && <ul className="list-disc pl-5 text-xs text-slate-500">{result.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
        </div>
      )}
    </div>
  );
}

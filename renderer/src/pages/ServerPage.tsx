/**
 * Server: how other programs use the models (the OpenAI-compatible API under /v1 of `trimllm serve`): the base
 * URL, the access token, the model ids with the names the app shows, and a copyable curl example.
 */
import { useState } from 'react';
import { useApi } from '../api/context.tsx';
import { readToken } from '../api/token.ts';
import { useCall } from '../hooks/useCall.ts';
import { Card, EmptyState, ErrorBox, Link, PageHeader, SelectField, Spinner } from '../components/ui.tsx';
import { CopyButton } from '../components/CopyButton.tsx';

/** The curl command that asks `model` one question through the API. */
export function curlExample(baseUrl: string, token: string, model: string): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello! Who are you?' }], max_tokens: 64 });
  return `curl ${baseUrl}/chat/completions \\\n  -H "Authorization: Bearer ${token}" \\\n  -H "Content-Type: application/json" \\\n  -d '${body}'`;
}

function Row({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="flex flex-col gap-1">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <div className="flex items-center gap-2">
        <code data-testid={testId} className="min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 text-sm text-slate-900">{value}</code>
        <CopyButton text={value} label={`Copy the ${label.toLowerCase()}`} testId={`${testId}-copy`} />
      </div>
    </div>
  );
}

/** The Server page. */
export function ServerPage() {
  const api = useApi();
  const models = useCall('server.models', {});
  const [chosen, setChosen] = useState('');
  if (api.transport !== 'http') {
    return (
      <>
        <PageHeader title="Server" description="Other programs can use your models through an OpenAI-compatible API." />
        <Card title="Start the server">
          <p className="text-sm text-slate-700">
            The API runs in server mode. In a terminal, run <code className="rounded bg-slate-100 px-1">trimllm serve</code>: it opens this app in your
            browser, and this page then shows the address, the access token and a ready-to-copy example.
          </p>
        </Card>
      </>
    );
  }
  const baseUrl = `${window.location.origin}/v1`;
  const token = readToken() ?? '';
  const list = models.data ?? [];
  const model = chosen || list[0]?.id || '';
  const example = curlExample(baseUrl, token, model);
  return (
    <>
      <PageHeader title="Server" description="Other programs (scripts, chat apps that speak the OpenAI API) can use your models at this address while this app is running. Keep the token private: anyone with it can use your models." />
      <div className="flex flex-col gap-5">
        <Card title="Address and token" testId="server-panel">
          <div className="flex flex-col gap-3">
            <Row label="Base URL" value={baseUrl} testId="server-base-url" />
            <Row label="Access token" value={token} testId="server-token" />
          </div>
        </Card>
        <Card title="Models you can call" testId="server-models">
          <ErrorBox error={models.error} onRetry={models.reload} />
          {models.loading && !models.data && <Spinner label="Loading models…" />}
          {models.data && list.length === 0 && (
            <EmptyState title="No models yet"><Link to="/models">Import a model</Link> first.</EmptyState>
          )}
          {list.length > 0 && (
            <table className="w-full table-fixed text-left text-sm">
              <thead>
                <tr className="border-b border-slate-200 text-slate-600">
                  <th scope="col" className="w-1/3 py-1 pr-2 font-medium">Model id (for the API)</th>
                  <th scope="col" className="py-1 font-medium">Name in this app</th>
                </tr>
              </thead>
              <tbody>
                {list.map((m) => (
                  <tr key={m.id} className="border-b border-slate-100 last:border-0" data-testid="server-model-row">
                    <td className="break-all py-1 pr-2"><code>{m.id}</code></td>
                    <td className="break-words py-1">{m.name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        {list.length > 0 && (
          <Card title="Try it" testId="server-example">
            <SelectField label="Model" value={model} onChange={(e) => setChosen(e.target.value)} options={list.map((m) => ({ value: m.id, label: m.name }))} data-testid="server-example-model" />
            <p className="mt-3 text-sm text-slate-700">Paste this into a terminal on this computer:</p>
            <pre data-testid="server-curl" className="mt-1 whitespace-pre-wrap break-all rounded bg-slate-900 p-3 text-xs text-slate-100">{example}</pre>
            <div className="mt-2"><CopyButton text={example} label="Copy the example command" testId="server-curl-copy" /></div>
          </Card>
        )}
      </div>
    </>
  );
}

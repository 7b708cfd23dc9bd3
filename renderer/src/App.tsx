/** The shell: left navigation, connection banner and the page chosen by the hash route. */
import { useEffect, useRef } from 'react';
import { useHashRoute, type Route } from './hooks/useHashRoute.ts';
import { Nav } from './components/Nav.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { ModelsPage } from './pages/ModelsPage.tsx';
import { DatasetsPage } from './pages/DatasetsPage.tsx';
import { TrimPage } from './pages/TrimPage.tsx';
import { RunsPage } from './pages/RunsPage.tsx';
import { RunPage } from './pages/RunPage.tsx';
import { ChatPage } from './pages/ChatPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { EvaluatePage } from './pages/EvaluatePage.tsx';
import { ServerPage } from './pages/ServerPage.tsx';
import { EmptyState, Link } from './components/ui.tsx';

function idParam(value: string | undefined): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function Page({ route }: { route: Route }) {
  const [section, param] = route.segments;
  switch (section ?? 'models') {
    case 'models':
      return <ModelsPage selectedId={idParam(param)} />;
    case 'datasets':
      return <DatasetsPage />;
    case 'trim':
      return <TrimPage initialModelId={idParam(route.query.get('model') ?? undefined)} initialDatasetId={idParam(route.query.get('dataset') ?? undefined)} />;
    case 'runs':
      return param ? <RunPage key={param} runId={idParam(param) ?? 0} /> : <RunsPage />;
    case 'evaluate':
      return <EvaluatePage runId={idParam(route.query.get('run') ?? undefined)} />;
    case 'chat':
      return <ChatPage key={param ?? ''} chatId={idParam(param)} isNew={param === 'new'} />;
    case 'server':
      return <ServerPage />;
    case 'settings':
      return <SettingsPage />;
    default:
      return (
        <EmptyState title="This page does not exist">
          Go to <Link to="/models">Models</Link>.
        </EmptyState>
      );
  }
}

/** The application. */
export function App() {
  const route = useHashRoute();
  const main = useRef<HTMLElement>(null);
  const section = route.segments[0] ?? 'models';
  useEffect(() => {
    document.title = `TrimLLM Studio — ${section[0].toUpperCase()}${section.slice(1)}`;
  }, [section]);
  return (
    <div className="flex min-h-full">
      <a href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }} className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      {/* The column keeps the nav's colour below the fold; the nav itself stays in view (sticky). */}
      <div className="w-40 shrink-0 bg-slate-900 lg:w-52">
        <Nav current={section} />
      </div>
      <main ref={main} id="main" tabIndex={-1} className="min-w-0 flex-1 px-6 py-5 focus:outline-none">
        <ConnectionBanner />
        <Page route={route} />
      </main>
    </div>
  );
}

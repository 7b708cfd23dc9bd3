/** The left navigation. */

const ITEMS: { id: string; label: string; hint: string }[] = [
  { id: 'models', label: 'Models', hint: 'Import and inspect base models' },
  { id: 'datasets', label: 'Datasets', hint: 'Preview and import your data' },
  { id: 'trim', label: 'Trim', hint: 'Fine-tune while dropping sub-layers' },
  { id: 'runs', label: 'Runs', hint: 'Frontier and checkpoints' },
  { id: 'evaluate', label: 'Evaluate', hint: 'Every model on every dataset: what specializing costs elsewhere' },
  { id: 'chat', label: 'Chat', hint: 'Talk to a trimmed model' },
  { id: 'server', label: 'Server', hint: 'Use your models from other programs' },
  { id: 'settings', label: 'Settings', hint: 'Backend, threads, hub' },
];

/** Navigation links; the current page is marked with aria-current. */
export function Nav({ current }: { current: string }) {
  return (
    <nav aria-label="Main" className="sticky top-0 flex h-screen w-40 shrink-0 flex-col lg:w-52 bg-slate-900 text-slate-100">
      <div className="px-4 py-4">
        <p className="text-lg font-semibold tracking-tight">TrimLLM Studio</p>
        <p className="text-xs text-slate-400">Specialize · trim · chat, offline</p>
      </div>
      <ul className="flex flex-col gap-0.5 px-2">
        {ITEMS.map((item) => {
          const active = item.id === current;
          return (
            <li key={item.id}>
              <a
                href={`#/${item.id}`}
                data-testid={`nav-${item.id}`}
                aria-current={active ? 'page' : undefined}
                title={item.hint}
                className={`block rounded-md px-3 py-2 text-sm ${active ? 'bg-slate-700 font-medium text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'}`}
              >
                {item.label}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

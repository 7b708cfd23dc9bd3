/** Entry point: picks the API transport (before routing reads the hash: the token is taken out first). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './index.css';
import { createClient } from './api/index.ts';
import { ApiProvider } from './api/context.tsx';
import { App } from './App.tsx';

const client = createClient();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiProvider client={client}>
      <App />
    </ApiProvider>
  </StrictMode>,
);

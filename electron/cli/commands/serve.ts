/** `trimllm serve`: TrimLLM Studio in the browser — the app's API, events and UI on 127.0.0.1 with a token. */
import { spawn } from 'node:child_process';
import { writeTokenFile } from '../../server/auth.ts';
import { startServer } from '../../server/index.ts';
import { numberOption, parse, UsageError } from '../args.ts';
import { dataDir } from '../../app/workspace.ts';

/** Help text of the command. */
export const help = `trimllm serve [--port 7860] [--host 127.0.0.1] [--allow-remote] [--data-dir DIR] [--static DIR] [--open]
  Serves the app (the built renderer: npm run build:ui), its API (POST /api/<method>, WebSocket /api/events) and
  an OpenAI-compatible endpoint (/v1/models, /v1/chat/completions) for every model and checkpoint. Every request
  needs the token (Authorization: Bearer <token>): printed with the page's link in a terminal, and kept in
  DIR/server-token (0600), never written to a log. Listens on 127.0.0.1 only unless --allow-remote.
  Ctrl-C stops running jobs at their last checkpoint (resume them later) and exits.`;

function openBrowser(url: string): void {
  const [cmd, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  const child = spawn(cmd!, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not open a browser; open ${url} yourself`));
  child.unref();
}

/** Runs the command until Ctrl-C (or SIGTERM); returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    port: { type: 'string' }, host: { type: 'string' }, 'allow-remote': { type: 'boolean', default: false },
    'data-dir': { type: 'string' }, static: { type: 'string' }, open: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = numberOption(values.port, 'port', 7860);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got ${values.port}`);
  const server = await startServer({
    port, host: values.host ?? '127.0.0.1', allowRemote: values['allow-remote'], dataDir: dataDir(values['data-dir']),
    ...(values.static ? { staticDir: values.static } : {}),
  });
  for (const w of server.warnings) console.error(w);
  const pageUrl = `${server.url}/#token=${server.token}`;
  const tokenFile = writeTokenFile(dataDir(values['data-dir']), server.token);
  // The token goes to a terminal only: stdout redirected to a file or a service's journal is a log.
  if (process.stdout.isTTY) {
    console.log(`TrimLLM Studio at ${pageUrl}`);
    console.log(`token: ${server.token}   (API clients: Authorization: Bearer <token>; OpenAI-compatible base URL ${server.url}/v1)`);
  } else {
    console.log(`TrimLLM Studio at ${server.url}/ (open ${server.url}/#token=<token>; the token is in ${tokenFile})`);
  }
  console.log(`token file: ${tokenFile}   data: ${dataDir(values['data-dir'])}   Ctrl-C to stop`);
  if (values.open) openBrowser(pageUrl);
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const done = (code: number) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveExit(code);
    };
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // Workers see the parent go and still stop their jobs at a checkpoint before exiting.
        console.error('\nquitting now');
        process.exit(130);
      }
      stopping = true;
      console.error(`\n${signal}: stopping jobs at their last checkpoint (Ctrl-C again to quit now)`);
      server.close().then(
        () => done(0),
        (e: Error) => {
          console.error(`trimllm serve: ${e.message}`);
          done(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

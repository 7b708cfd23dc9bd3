/**
 * The `trimllm` command line: a thin layer over the engine. Each command lives in commands/<name>.ts and exports
 * `help` and `run(argv)`. The library throws; this file prints the message (the stack with --verbose) and
 * turns it into an exit code: 0 ok, 1 failure, 2 usage error.
 */
import { resolveCliAccess, setWorkspaceAccess, usePrivateUmask } from '../store/index.ts';
import { UsageError } from './args.ts';
import { dataDir } from '../app/workspace.ts';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  doctor: () => import('./commands/doctor.ts'),
  inspect: () => import('./commands/inspect.ts'),
  generate: () => import('./commands/generate.ts'),
  score: () => import('./commands/score.ts'),
  export: () => import('./commands/export.ts'),
  'import-model': () => import('./commands/import-model.ts'),
  'import-data': () => import('./commands/import-data.ts'),
  trim: () => import('./commands/trim.ts'),
  plan: () => import('./commands/plan.ts'),
  resume: () => import('./commands/resume.ts'),
  runs: () => import('./commands/runs.ts'),
  report: () => import('./commands/report.ts'),
  eval: () => import('./commands/eval.ts'),
  bench: () => import('./commands/bench.ts'),
  chat: () => import('./commands/chat.ts'),
  demo: () => import('./commands/demo.ts'),
  serve: () => import('./commands/serve.ts'),
  delete: () => import('./commands/delete.ts'),
  vacuum: () => import('./commands/vacuum.ts'),
  backup: () => import('./commands/backup.ts'),
  encrypt: () => import('./commands/encrypt.ts'),
  rekey: () => import('./commands/rekey.ts'),
};

/** Commands that always open the workspace (others do with --checkpoint or --save): a key prompt is shown for them. */
const WORKSPACE_COMMANDS = new Set(['import-model', 'import-data', 'trim', 'plan', 'resume', 'runs', 'demo', 'serve', 'delete', 'vacuum', 'backup', 'encrypt', 'rekey']);

/** The global flags of every command: the workspace key's file, and declining encryption. */
interface GlobalFlags {
  verbose: boolean;
  keyFile?: string;
  noEncryption: boolean;
  rest: string[];
}

/**
 * Takes --verbose, --key-file FILE (or --key-file=FILE) and --no-encryption out of the arguments.
 * @throws UsageError when --key-file has no value
 */
function takeGlobalFlags(argv: string[]): GlobalFlags {
  const flags: GlobalFlags = { verbose: false, noEncryption: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--verbose') flags.verbose = true;
    else if (a === '--no-encryption') flags.noEncryption = true;
    else if (a.startsWith('--key-file=')) flags.keyFile = a.slice('--key-file='.length);
    else if (a === '--key-file') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--key-file needs a FILE');
      flags.keyFile = value;
    } else flags.rest.push(a);
  }
  if (flags.keyFile === '') throw new UsageError('--key-file needs a FILE');
  return flags;
}

/** The --data-dir value among a command's arguments (for the key prompt), if given. */
function dataDirFlag(args: readonly string[]): string | undefined {
  const i = args.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.slice('--data-dir='.length) : args[i + 1];
}

const USAGE = `usage: trimllm <command> [options]   (trimllm <command> --help for details)

commands:
  doctor     backend, devices, versions; why a faster backend was not used
  inspect    a model's config and parameters per sub-layer
  generate   stream a continuation of a prompt
  score      loglikelihood of a continuation given a context
  export     write a (trimmed) model as a Hugging Face folder or a GGUF file (llama.cpp, Ollama, LM Studio)
  import-model   register a model in the workspace (SQLite)
  import-data    import a dataset (JSONL, JSON, CSV/TSV, Parquet, text) into the workspace
  trim       fine-tune with progressive sub-layer dropping; baselines; report
  plan       predicted time and memory of a trim run, measured on this machine in seconds
  resume     continue an interrupted run from its last checkpoint
  runs       list runs and checkpoints
  report     a run's report again, with other runs' checkpoints beside its own (--compare)
  eval       acc/acc_norm or next-token accuracy and perplexity on a dataset
  bench      prefill/decode tokens/s and memory, full vs trimmed
  chat       terminal chat with a model or checkpoint
  demo       the whole loop on a tiny model (npm run demo)
  serve      the app's UI and API on 127.0.0.1 (token-protected), plus an OpenAI-compatible /v1
  delete     delete a run, dataset, chat, checkpoint or model with its data
  vacuum     give the space of deleted data back to the disk
  backup     a consistent copy of the workspace database (also while a job runs)
  encrypt    encrypt an unencrypted workspace with a new key (kill-safe, in place)
  rekey      change the workspace's key (kill-safe, in place)

common options: --backend auto|tensorflow|webgpu|wasm|cpu (or TRIMLLM_BACKEND), --verbose
  trim/plan: --threads N (or TRIMLLM_THREADS; default: the physical cores) scans and training on N threads
workspace key: TRIMLLM_DB_KEY=…, --key-file FILE (mode 0600) or a prompt in a terminal, never on the command
  line; --no-encryption keeps a workspace unencrypted (recorded in it)`;

/**
 * Runs the CLI.
 * @param argv arguments after the program name
 * @returns the process exit code
 */
export async function main(argv: string[]): Promise<number> {
  usePrivateUmask(); // every file this process makes is private; exports get the user's umask (withUserUmask)
  let flags: GlobalFlags;
  try {
    flags = takeGlobalFlags(argv);
  } catch (e) {
    console.error(`trimllm: ${(e as Error).message}`);
    return 2;
  }
  const { verbose } = flags;
  const [name, ...rest] = flags.rest;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`trimllm: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    const usesWorkspace = WORKSPACE_COMMANDS.has(name) || rest.includes('--checkpoint') || rest.includes('--save');
    setWorkspaceAccess(await resolveCliAccess({
      ...(flags.keyFile !== undefined ? { keyFile: flags.keyFile } : {}),
      noEncryption: flags.noEncryption,
      ...(name === 'encrypt' ? { need: 'new' as const } : {}),
      ...(usesWorkspace ? { dataDir: dataDir(dataDirFlag(rest)) } : {}),
      interactive: process.stdin.isTTY === true,
      env: process.env,
    }));
    return await command.run(rest);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    console.error(`trimllm ${name}: ${verbose ? (err.stack ?? err.message) : err.message}`);
    if (err instanceof UsageError) {
      console.error(`\n${command.help}`);
      return 2;
    }
    return 1;
  }
}

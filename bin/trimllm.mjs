#!/usr/bin/env node
// Entry point of the `trimllm` command. Runs the TypeScript CLI through tsx, so `npx trimllm …` works straight
// after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// Output piped into a reader that stops early (`trimllm runs | head`): end quietly, as Unix tools do, instead of
// an EPIPE stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// On the webgpu backend, Dawn's navigator.gpu keeps Node running until it is released.
if (globalThis.navigator?.gpu) (await import('../engine/backend/select.ts')).releaseBackend();

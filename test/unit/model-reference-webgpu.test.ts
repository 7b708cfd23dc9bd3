// The stories260K oracle checks on the webgpu backend. Skipped (with the reason) where Dawn finds no usable
// adapter — every CI machine; scripts/gpu-check.sh runs them on a GPU.
import { dawnGpu, probeWebGpu } from '../../engine/backend/webgpu.ts';
import { releaseBackend } from '../../engine/backend/select.ts';
import { after } from 'node:test';
import { referenceSuite } from '../helpers/reference-suite.ts';

const unavailable = await dawnGpu().then(probeWebGpu).then(
  () => undefined,
  (e: Error) => `webgpu unavailable: ${e.message}`,
);
referenceSuite('webgpu', unavailable);
after(releaseBackend); // Dawn keeps the process alive otherwise

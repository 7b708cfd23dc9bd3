#!/usr/bin/env bash
# The GPU check of the webgpu backend, in two steps.
#
#   scripts/gpu-check.sh build BUNDLE [GL]   on a development machine (x86-64 Linux, node_modules installed)
#   scripts/gpu-check.sh run BUNDLE OUT [GL] on the GPU machine (no registry, no node_modules, maybe no Vulkan)
#
# build makes a self-contained folder BUNDLE (~42 MB): Node (this machine's binary, xz-compressed), two esbuild
# bundles — the stories260K reference tests (test/unit/model-reference-webgpu.test.ts) and the bench
# (scripts/gpu-check.ts) — Dawn's dawn.node (xz; run puts it where the bundled `webgpu` package looks), and the
# files under ../shared the tests read (stories260K and its oracle values; never commit them). With GL it also
# downloads the Vulkan loader (libvulkan1 .deb, amd64) into GL.
#
# run unpacks Node and the Vulkan loader (GL/*.deb into /, then ldconfig), points the loader at the NVIDIA ICD
# when none is registered, puts the shared files at ../shared, runs the reference tests on webgpu (node --test),
# then the bench, with every line also written to OUT/gpu-check.log and the rows to OUT/gpu-bench.json.
# It stops with "no adapter" (exit 1) when Dawn finds no GPU. Environment: GPU_CHECK_SHAPES, GPU_CHECK_RUNS,
# GPU_CHECK_BENCH_SECONDS (the bench's time limit, default 330: the rows of each shape are printed as it ends).
set -euo pipefail
mode=${1:?usage: gpu-check.sh build BUNDLE [GL] | run BUNDLE OUT [GL]}
bundle=${2:?bundle folder}
repo=$(cd "$(dirname "$0")/.." && pwd) # the repository root, for scripts/gpu-check.sh and BUNDLE/gpu-check.sh alike

if [ "$mode" = build ]; then
  gl=${3:-}
  mkdir -p "$bundle/b" "$bundle/shared/models" "$bundle/shared/reference"
  esbuild=(node_modules/.bin/esbuild --bundle --platform=node --format=esm --target=node20 --log-level=warning
    --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-backend-wasm
    '--banner:js=import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);')
  (cd "$repo" && "${esbuild[@]}" test/unit/model-reference-webgpu.test.ts --outfile="$bundle/b/reference.test.mjs")
  (cd "$repo" && "${esbuild[@]}" scripts/gpu-check.ts --outfile="$bundle/b/gpu-check.mjs")
  xz -T2 -6 -c "$repo/node_modules/webgpu/dist/linux-x64/dawn.node" >"$bundle/dawn.node.xz"
  [ -f "$bundle/node.xz" ] || xz -T2 -6 -c "$(command -v node)" >"$bundle/node.xz"
  cp "$0" "$bundle/gpu-check.sh" # the GPU machine gets the bundle, not necessarily this checkout
  cp -r "$repo/../shared/models/stories260K" "$bundle/shared/models/"
  cp "$repo/../shared/reference/stories260K.json" "$bundle/shared/reference/"
  if [ -n "$gl" ]; then
    mkdir -p "$gl" /tmp/amd64/partial
    o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
    ls "$gl"/libvulkan1_*.deb >/dev/null 2>&1 || { apt-get "${o[@]}" update -qq && (cd "$gl" && apt-get "${o[@]}" download libvulkan1); }
  fi
  du -sh "$bundle" ${gl:+"$gl"}
  exit 0
fi

[ "$mode" = run ] || { echo "unknown mode $mode" >&2; exit 2; }
out=${3:?output folder}
gl=${4:-}
mkdir -p "$out"
bundle=$(cd "$bundle" && pwd) # absolute: require() below takes it as a path
exec > >(tee -a "$out/gpu-check.log") 2>&1
echo "gpu-check: $(date -u +%FT%TZ) on $(uname -m), $(nproc) CPUs"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
if [ -n "$gl" ]; then
  for f in "$gl"/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
node=/tmp/gpu-check-node
[ -x "$node" ] || { xz -dc "$bundle/node.xz" >"$node" && chmod +x "$node"; }
"$node" --version
mkdir -p "$bundle/b/dist/linux-x64" # where the bundled `webgpu` package looks for Dawn
xz -dc "$bundle/dawn.node.xz" >"$bundle/b/dist/linux-x64/dawn.node"
# Does Dawn find an adapter with the ICDs the loader finds by itself? If not, name the NVIDIA ICD explicitly.
probe="require('$bundle/b/dist/linux-x64/dawn.node').create([]).requestAdapter().then((a) => {
  console.log(a ? 'adapter: ' + JSON.stringify({ vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description }) : 'no adapter');
  process.exit(a ? 0 : 1); })"
echo "ICDs: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')"
if ! timeout 60 "$node" -e "$probe"; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  echo "retrying with VK_DRIVER_FILES=$VK_DRIVER_FILES"
  if ! timeout 60 "$node" -e "$probe"; then # what the loader saw, to diagnose
    head -c 2000 /usr/share/vulkan/icd.d/*.json "$VK_DRIVER_FILES" 2>/dev/null || true
    ls /usr/local/nvidia/lib64 2>/dev/null | grep -iE 'glx|vulkan|spirv|gpucomp|GLdispatch' | tr '\n' ' ' || true
    VK_LOADER_DEBUG=error,warn,driver timeout 60 "$node" -e "$probe" 2>&1 | head -60 || true
  fi
fi
echo "Vulkan loader: $(ldconfig -p | grep -m1 libvulkan.so.1 || echo none); VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
# The bundles resolve ../shared from the repository root as the sources do (test/helpers/shared.ts).
[ -e "$repo/../shared/reference/stories260K.json" ] || cp -r "$bundle/shared" "$repo/../shared"
status=0
echo "== reference tests on webgpu"
timeout 90 "$node" --test --test-force-exit --test-reporter=spec "$bundle/b/reference.test.mjs" || status=$?
echo "== bench on webgpu (reference tests exit $status)"
timeout "${GPU_CHECK_BENCH_SECONDS:-330}" "$node" "$bundle/b/gpu-check.mjs" --out "$out/gpu-bench.json" \
  --shapes "${GPU_CHECK_SHAPES:-SmolLM2-135M,SmolLM2-360M,stories110M}" --runs "${GPU_CHECK_RUNS:-3}" || status=$?
echo "gpu-check: exit $status"
exit $status

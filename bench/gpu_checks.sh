#!/usr/bin/env bash
# Every GPU check of the platform in one run, for a single CUDA machine (bash bench/gpu_checks.sh OUT_DIR):
#   1. the device and the software found there;
#   2. the GPU-marked tests (bf16 generation with the shared generator, a DeepSpeed ZeRO-2/3 bf16 step);
#   3. bench/train_throughput.py on the published Qwen2.5-0.5B and 1.5B shapes, seq 2048, bf16:
#      plain PyTorch vs DeepSpeed ZeRO-2 vs ZeRO-3 (vs torch.compile), tokens/s, peak memory and MFU.
# Each step has its own time bound and writes its log to OUT_DIR, so a step that fails or runs out of time
# leaves the others' results. Needs torch with CUDA, transformers, pyarrow, pyyaml and deepspeed; wheels in
# .whl/ (for a machine without a package index) are installed first into a private target.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT_DIR="${1:-gpu-checks}"
mkdir -p "$OUT_DIR"
PY="${PYTHON:-python3}"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/platform:$PWD${PYTHONPATH:+:$PYTHONPATH}"
if compgen -G ".whl/*.whl" >/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/gpu-site .whl/*.whl \
    || exit 1
  export PYTHONPATH="/tmp/gpu-site:$PYTHONPATH"
fi
[ -d .assets ] && export SONGSAGE_ASSETS_DIR="$PWD/.assets"

step() {  # step NAME SECONDS COMMAND...: run with a bound, log to OUT_DIR/NAME.log, print the status line
  local name="$1" limit="$2" t0 rc
  shift 2
  t0=$(date +%s)
  timeout "$limit" "$@" >"$OUT_DIR/$name.log" 2>&1
  rc=$?
  echo "== $name: rc=$rc in $(($(date +%s) - t0)) s"
  tail -n 25 "$OUT_DIR/$name.log"
}

step device 60 bash -c "nvidia-smi; $PY -c 'import torch, transformers, deepspeed; \
print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda, torch.cuda.get_device_name()); \
print(\"transformers\", transformers.__version__, \"deepspeed\", deepspeed.__version__)'"
step gpu_tests 150 "$PY" -m pytest -q -p no:cacheprovider -m gpu \
  tests/models/test_generator_device.py tests/train/test_train_parts.py
step throughput_0.5b 220 "$PY" bench/train_throughput.py --archs qwen2.5-0.5b-arch \
  --json "$OUT_DIR/throughput_0.5b.json"
step throughput_1.5b 160 "$PY" bench/train_throughput.py --archs qwen2.5-1.5b-arch --modes plain,zero2,zero3 \
  --json "$OUT_DIR/throughput_1.5b.json"

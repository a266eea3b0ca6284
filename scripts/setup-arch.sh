#!/usr/bin/env bash
# Creates the project-owned virtual environment `.venv-arch/` with the Python `arch` package,
# used only by scripts/garch_crosscheck.py to cross-check shortfall-risk's GARCH fits.
# Usage: bash scripts/setup-arch.sh            (idempotent; re-run to repair)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-arch
ARCH_VERSION=8.0.0
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "arch==${ARCH_VERSION}"
"$VENV/bin/python" -c 'import arch, numpy, scipy; print("arch", arch.__version__, "numpy", numpy.__version__, "scipy", scipy.__version__)'

#!/usr/bin/env bash
# Creates the project-owned virtual environment `.venv-lightgbm/` with LightGBM, numpy and
# pandas, used only by scripts/gbdt_crosscheck.py to compare shortfall-signals' histogram GBDT
# with LightGBM on the same data and settings.
# Usage: bash scripts/setup-lightgbm.sh        (idempotent; re-run to repair)
# LightGBM 4.6.x is pinned when the index has it; otherwise the newest 4.x is taken.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-lightgbm
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
if ! "$VENV/bin/python" -m pip install --quiet "lightgbm==4.6.*"; then
    echo "lightgbm 4.6.* not available; installing the newest 4.x" >&2
    "$VENV/bin/python" -m pip install --quiet "lightgbm>=4,<5"
fi
"$VENV/bin/python" -m pip install --quiet numpy pandas
"$VENV/bin/python" -c 'import lightgbm, numpy, pandas; print("lightgbm", lightgbm.__version__, "numpy", numpy.__version__, "pandas", pandas.__version__)'

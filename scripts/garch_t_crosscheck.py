"""Cross-checks shortfall-risk's GARCH(1,1)-t against the `arch` package (8.0.0).

Usage (after `bash scripts/setup-arch.sh` and
`cargo build --release -p shortfall-risk --example vol_fit`):

    .venv-arch/bin/python scripts/garch_t_crosscheck.py

For a few simulated GARCH(1,1)-t series it reports: our log-likelihood at our estimates
against arch's log-likelihood evaluated at the same parameters (same backcast and bounds,
so they should agree to rounding), both fits' parameters and log-likelihoods, and timings.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from arch import arch_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOLFIT = os.path.join(ROOT, "target", "release", "examples", "vol_fit")


def simulate(seed, n, omega, alpha, beta, nu, burn=500):
    rng = np.random.default_rng(seed)
    z = rng.standard_t(nu, size=n + burn) * np.sqrt((nu - 2.0) / nu)
    s2 = omega / (1.0 - alpha - beta)
    out = np.empty(n + burn)
    for t in range(n + burn):
        out[t] = np.sqrt(s2) * z[t]
        s2 = omega + alpha * out[t] ** 2 + beta * s2
    return out[burn:]


def main():
    if not os.path.exists(VOLFIT):
        sys.exit(f"build first: cargo build --release -p shortfall-risk --example vol_fit ({VOLFIT})")
    worst_ll = 0.0
    worst_param = 0.0
    for seed, n in [(1, 2000), (2, 5000), (3, 5000)]:
        y = simulate(seed, n, 0.05, 0.1, 0.85, 6.0)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("y\n" + "\n".join(repr(float(v)) for v in y) + "\n")
            path = f.name
        ours = json.loads(subprocess.run([VOLFIT, path, "zero", "garch", "t"], check=True,
                                         capture_output=True, text=True).stdout.strip().splitlines()[-1])
        os.unlink(path)
        am = arch_model(y, mean="Zero", vol="GARCH", p=1, q=1, dist="t", rescale=False)
        t0 = time.perf_counter()
        res = am.fit(disp="off")
        arch_s = time.perf_counter() - t0
        arch_at_ours = am.fix(ours["params"]).loglikelihood
        rel = abs(arch_at_ours - ours["loglik"]) / abs(arch_at_ours)
        dparam = max(abs(a - b) for a, b in zip(ours["params"], res.params.values))
        worst_ll = max(worst_ll, rel)
        worst_param = max(worst_param, dparam)
        print(f"seed {seed} n {n}: ours {np.round(ours['params'], 5)} ll {ours['loglik']:.6f} "
              f"({ours['fit_s'] * 1e3:.1f} ms) | arch {np.round(res.params.values, 5)} ll {res.loglikelihood:.6f} "
              f"({arch_s * 1e3:.1f} ms) | arch ll at our params {arch_at_ours:.9f} (rel diff {rel:.1e})")
    print(json.dumps({"max_rel_loglik_diff_at_same_params": worst_ll, "max_abs_param_diff": worst_param}))


if __name__ == "__main__":
    main()

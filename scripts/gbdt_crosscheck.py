#!/usr/bin/env python3
"""Compare shortfall-signals' histogram GBDT with LightGBM on the same data and settings.

Setup once:   bash scripts/setup-lightgbm.sh          (creates .venv-lightgbm with lightgbm 4.x)
Build once:   cargo build --release --example gbdt_benchmark
Run:          .venv-lightgbm/bin/python scripts/gbdt_crosscheck.py [--reps 3] [--threads 2]
              [--csv FILE]   (default target/gbdt/synthetic_200k_seed0.csv, written by
                              `gbdt_benchmark --generate` when missing)

Both models train a binary log-loss GBDT on the first --train-rows rows and are scored on the
rest with the same AUC (Mann-Whitney, average ranks for ties). Settings, ours -> LightGBM:

    --rounds 100          num_iterations 100
    --leaves 31           num_leaves 31
    --bins 255            max_bin 255
    --lr 0.1              learning_rate 0.1
    --threads 2           num_threads 2
    min_data_in_leaf 20   min_data_in_leaf 20
    lambda_l2 0           lambda_l2 0
    (defaults)            min_sum_hessian_in_leaf 1e-3, min_gain_to_split 0, max_depth -1,
                          feature_fraction 1, bagging off, bin_construct_sample_cnt 200000

Timing: LightGBM's is the wall time of lgb.train including the Dataset construction (binning),
from a numpy matrix already in memory; ours is the binary's `train_s` (dataset check, binning
and boosting from the in-memory matrix, excluding process start and CSV parsing). The runs
alternate (ours, LightGBM, ours, ...) so both see the same machine load; the script reports
each run, the medians and the ratio ours/LightGBM. CPU times (all threads; ours from the
binary's `train_cpu_s`, LightGBM's from time.process_time) are shown beside them: on a loaded
machine they vary far less than wall times.

OpenMP: LightGBM's threads busy-wait by default (OMP_WAIT_POLICY=active), which on a shared,
oversubscribed machine makes it many times slower than its CPU time. The script sets
OMP_WAIT_POLICY=passive before importing LightGBM (change with --omp-wait-policy), which is the
fairer setting there; on an idle machine the two give about the same time.

The last stdout line is one JSON object with the medians, the ratio and the AUC difference.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "examples", "gbdt_benchmark")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", default=None, help="data set (header row, label column); generated when missing")
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated data set")
    ap.add_argument("--label-col", default="label")
    ap.add_argument("--train-rows", type=int, default=160_000)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--bins", type=int, default=255)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--omp-wait-policy", default="passive", choices=["passive", "active"])
    return ap.parse_args()


def auc(scores, y):
    """ROC AUC by the Mann-Whitney statistic with average ranks for ties."""
    import pandas as pd

    ranks = pd.Series(scores).rank(method="average").to_numpy()
    pos = y == 1
    n_pos = int(pos.sum())
    n_neg = len(y) - n_pos
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def run_ours(args, csv):
    cmd = [BIN, "--csv", csv, "--label-col", args.label_col, "--train-rows", str(args.train_rows),
           "--rounds", str(args.rounds), "--leaves", str(args.leaves), "--bins", str(args.bins),
           "--lr", str(args.lr), "--threads", str(args.threads)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    args = parse_args()
    os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy.upper()
    import numpy as np
    import pandas as pd
    import lightgbm as lgb

    if not os.path.exists(BIN):
        sys.exit(f"missing {BIN}: run `cargo build --release --example gbdt_benchmark` first")
    csv = args.csv or os.path.join(TARGET, "gbdt", f"synthetic_200k_seed{args.seed}.csv")
    if not os.path.exists(csv):
        os.makedirs(os.path.dirname(csv), exist_ok=True)
        subprocess.run([BIN, "--generate", csv, "--seed", str(args.seed)], check=True)

    df = pd.read_csv(csv)
    y = df.pop(args.label_col).to_numpy(dtype=np.float64)
    x = df.to_numpy(dtype=np.float64)
    xtr, ytr = x[: args.train_rows], y[: args.train_rows]
    xte, yte = x[args.train_rows:], y[args.train_rows:]
    params = {
        "objective": "binary",
        "num_leaves": args.leaves,
        "max_bin": args.bins,
        "learning_rate": args.lr,
        "num_threads": args.threads,
        "min_data_in_leaf": 20,
        "min_sum_hessian_in_leaf": 1e-3,
        "lambda_l2": 0.0,
        "verbose": -1,
        "seed": args.seed,
    }
    print(f"lightgbm {lgb.__version__}, numpy {np.__version__}; {csv}: {len(xtr)} train / {len(xte)} test rows, "
          f"{x.shape[1]} features; {args.rounds} rounds, {args.leaves} leaves, {args.bins} bins, lr {args.lr}, "
          f"{args.threads} threads, OMP_WAIT_POLICY={args.omp_wait_policy}, {os.cpu_count()} CPUs")
    print(f"{'rep':>3} {'ours s':>8} {'lgbm s':>8} {'ratio':>6} {'ours cpu':>9} {'lgbm cpu':>9} {'ours AUC':>9} {'lgbm AUC':>9}")
    ours_t, lgb_t, ratios, ours_c, lgb_c = [], [], [], [], []
    ours_auc = lgb_auc = None
    for rep in range(args.reps):
        ours = run_ours(args, csv)
        c0, t0 = time.process_time(), time.perf_counter()
        booster = lgb.train(params, lgb.Dataset(xtr, ytr), num_boost_round=args.rounds)
        t_lgb = time.perf_counter() - t0
        c_lgb = time.process_time() - c0
        lgb_auc = auc(booster.predict(xte), yte)
        ours_auc = ours["auc"]
        ours_t.append(ours["train_s"])
        lgb_t.append(t_lgb)
        ratios.append(ours["train_s"] / t_lgb)
        ours_c.append(ours.get("train_cpu_s") or float("nan"))
        lgb_c.append(c_lgb)
        print(f"{rep + 1:>3} {ours['train_s']:>8.3f} {t_lgb:>8.3f} {ratios[-1]:>6.3f} {ours_c[-1]:>9.2f} {c_lgb:>9.2f} "
              f"{ours_auc:>9.5f} {lgb_auc:>9.5f}", flush=True)
    med_ours, med_lgb = statistics.median(ours_t), statistics.median(lgb_t)
    ratio = med_ours / med_lgb
    d_auc = ours_auc - lgb_auc
    print(f"median train time: ours {med_ours:.3f} s, LightGBM {med_lgb:.3f} s, ratio {ratio:.3f} "
          f"(median of per-run ratios {statistics.median(ratios):.3f}); goal <= 1.0")
    med_oc, med_lc = statistics.median(ours_c), statistics.median(lgb_c)
    print(f"median CPU time (all threads): ours {med_oc:.2f} s, LightGBM {med_lc:.2f} s, ratio {med_oc / med_lc:.3f}")
    print(f"test AUC: ours {ours_auc:.5f}, LightGBM {lgb_auc:.5f}, difference {d_auc:+.5f}; goal |diff| <= 0.003")
    print(json.dumps({
        "ours_train_s": med_ours, "lightgbm_train_s": med_lgb, "ratio": ratio,
        "ours_cpu_s": med_oc, "lightgbm_cpu_s": med_lc,
        "ours_auc": ours_auc, "lightgbm_auc": lgb_auc, "auc_diff": d_auc,
        "reps": args.reps, "threads": args.threads, "lightgbm": lgb.__version__,
    }))


if __name__ == "__main__":
    main()

"""Vector-key Nadaraya–Watson next to its peers, in one table (a script, not a test).

Keys uniform on [0, 5]², y = sin x₁ + cos x₂ + N(0, 0.3²), queries a 50 × 50 grid over the
square; Gaussian kernel, h ∈ {0.05, 0.5, 5} (5 = the range: every key counts, nothing is
skipped). Per row, all on one thread, minimum of a few repeats:

* nwcore.vector_nadaraya_watson (tiled, online log-sum-exp, no n × m matrix);
* a naive dense NumPy version: the (m × n × 2) differences, stable softmax, one matmul
  (skipped above 3e7 pairs: its arrays would exceed ~700 MB);
* statsmodels KernelReg(var_type="cc", reg_type="lc", bw=[h, h]).fit (skipped when a 20-query
  probe predicts more than a few seconds).

Printed: seconds, how many times slower each peer is, and the largest difference from nwcore
(statsmodels gives NaN where all its unshifted weights underflow; those queries are counted).

    python benchmarks/bench_vectors.py           # ≈ 1 minute
    python benchmarks/bench_vectors.py --quick   # smaller statsmodels budget
"""

import argparse
import time
import warnings

import numpy as np

from bench_nwcore import best_time, blas_line, nwcore  # sets one BLAS thread before NumPy loads

KEY_SIZES = (1_000, 10_000, 100_000)
BANDWIDTHS = (0.05, 0.5, 5.0)
GRID = 50
NAIVE_MAX_ELEMENTS = 30_000_000  # m × n; the differences array is twice that (~480 MB)


def plane(n, seed=0):
    rng = np.random.default_rng(seed)
    keys = rng.uniform(0.0, 5.0, (n, 2))
    return keys, np.sin(keys[:, 0]) + np.cos(keys[:, 1]) + rng.normal(0.0, 0.3, n)


def grid_queries(points):
    axis = np.linspace(0.0, 5.0, points)
    return np.column_stack([a.ravel() for a in np.meshgrid(axis, axis)])


def naive(queries, keys, values, h):
    """The textbook version: every squared distance, a stable softmax, one matmul."""
    squares = ((queries[:, None, :] - keys[None, :, :]) ** 2).sum(axis=2)
    logits = -squares / (2.0 * h * h)
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights @ values


def statsmodels_fit(keys, values, queries, h):
    from statsmodels.nonparametric.kernel_regression import KernelReg

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return KernelReg(values, keys, var_type="cc", reg_type="lc", bw=[h, h]).fit(queries)[0]


def difference(reference, other):
    """Largest |difference| where the peer is defined, and how many queries it left NaN."""
    defined = np.isfinite(other)
    largest = float(np.max(np.abs(reference[defined] - other[defined]))) if defined.any() else None
    return largest, int(np.count_nonzero(~defined))


def rows(budget):
    queries = grid_queries(GRID)
    for n in KEY_SIZES:
        keys, values = plane(n)
        for h in BANDWIDTHS:
            count = n * queries.shape[0]
            repeats = 5 if count <= 3e7 else 2
            seconds, ours = best_time(
                lambda: nwcore.vector_nadaraya_watson(queries, keys, values, bandwidth=h),
                repeats)
            row = {"n": n, "h": h, "nwcore": seconds, "ns": seconds / count * 1e9}
            if count <= NAIVE_MAX_ELEMENTS:
                row["naive"], fit = best_time(lambda: naive(queries, keys, values, h), 3)
                row["naive_diff"] = difference(ours, fit)
            probe, _ = best_time(lambda: statsmodels_fit(keys, values, queries[:20], h), 1)
            estimate = probe * queries.shape[0] / 20
            if estimate <= budget:
                row["sm"], fit = best_time(lambda: statsmodels_fit(keys, values, queries, h), 1)
                row["sm_diff"] = difference(ours, fit)
            else:
                row["sm_note"] = f"skipped (~{estimate:.0f} s)"
            print(f"  n={n} h={h}: nwcore {seconds:.3f} s", flush=True)
            yield row


def cell(row, peer):
    if peer not in row:
        return row.get(f"{peer}_note", "-"), "-", "-"
    largest, undefined = row[f"{peer}_diff"]
    note = f"{largest:.1e}" if largest is not None else "all NaN"
    if undefined:
        note += f" ({undefined} NaN)"
    return f"{row[peer]:.3f}", f"{row[peer] / row['nwcore']:.1f}", note


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller statsmodels budget")
    budget = 3.0 if parser.parse_args().quick else 20.0
    print(blas_line())
    started = time.perf_counter()
    table = list(rows(budget))
    header = ("n_keys", "queries", "h", "nwcore s", "ns/eval", "naive s", "naive/nw",
              "max |naive-nw|", "statsmodels s", "sm/nw", "max |sm-nw|")
    lines = [(f"{row['n']:.0e}".replace("+0", ""), str(GRID * GRID), f"{row['h']:g}",
              f"{row['nwcore']:.3f}", f"{row['ns']:.2f}", *cell(row, "naive"),
              *cell(row, "sm")) for row in table]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines)]
    print()
    for cells in [header, tuple("-" * w for w in widths), *lines]:
        print(" | ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip())
    print(f"\n(naive/nw, sm/nw = how many times slower the peer is; total "
          f"{time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Speed and memory of nwcore next to its floor and its peers, in one table (a script, not a test).

Rows, all measured in this run on one thread:

* exact NW and local linear at n_keys ∈ {1e3, 1e4, 1e5} × n_queries ∈ {500, 2000}, h = the key
  range (no window truncation: every key is evaluated), in ns per kernel evaluation (median of
  the timed calls; the minimum in brackets), against
  - the floor: np.exp over the same number of float64 values, 32 Ki-element chunks that stay
    in cache (the one transcendental per evaluation that any exact method must pay), and
    np.exp2 likewise (nwcore exponentiates base-2 logits, and exp2 is the cheaper of the two
    here), timed in alternation with nwcore over ~2 s per row: this machine has spells in
    which exp runs 25 % slower, and alternating makes all three meet the same spells; the
    ratios "x exp" and "x exp2" are of medians,
  - a naive d2l-style NumPy version (full matrix: distances, stable softmax, matmul; skipped
    when the matrix would exceed ~160 MB),
  - statsmodels KernelReg ("lc" / "ll", bw=[h]); skipped when its estimated time (from a
    timed fit on a few queries) exceeds a few seconds;
* binned NW at 1e6 keys × 2000 queries: time, ratio to the floor for the same count, and the
  max error against exact on 50 queries relative to the range of y;
* the bandwidth landscape: loo_cv_curve over 30 bandwidths (0.002 … 10 × range) at
  n ∈ {1e3, 4e3, 1e5, 1e6} (minimum of 2–3 runs), and statsmodels' cv_ls search (lc) at
  n ∈ {1e3, 4e3};
* peak extra memory of the exact path at 1e6 keys × 2000 queries (tracemalloc; NumPy reports
  its allocations to it).

    python benchmarks/bench_nwcore.py            # everything: about 70 s on an idle machine
    python benchmarks/bench_nwcore.py --quick    # skips the slowest peers: about 50 s

(The total is printed at the end; most of it is statsmodels, which evaluates every query in a
Python loop.)
"""

import os

# One thread everywhere, set before NumPy loads its BLAS. OPENBLAS_CORETYPE may be set in this
# machine's environment (it picks OpenBLAS's kernels); it is reported, never changed.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import nwcore  # noqa: E402

KEY_SIZES = (1_000, 10_000, 100_000)
QUERY_SIZES = (500, 2_000)
NAIVE_MAX_ELEMENTS = 20_000_000  # ~160 MB per n_queries × n_keys matrix
FLOOR_CHUNK = 1 << 15
EXACT_SECONDS = 2.0  # per exact row: enough rounds that both sides meet the machine's fast spells
LANDSCAPE_SIZES = (1_000, 4_000, 100_000, 1_000_000)


def best_time(function, repeats):
    """Minimum wall time of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def interleaved_times(functions, rounds, calls=3):
    """Wall times of every call of each function over ``rounds`` rounds that take them in turn.

    Each round calls each function ``calls`` times back to back (warm caches, as timeit does);
    alternating the functions makes a noisy moment on a shared machine hit every side of a
    ratio.
    """
    times = [[] for _ in functions]
    for _ in range(rounds):
        for index, function in enumerate(functions):
            for _ in range(calls):
                start = time.perf_counter()
                function()
                times[index].append(time.perf_counter() - start)
    return [np.array(samples) for samples in times]


def exact_rounds(count):
    """Rounds for an exact row: ≈ EXACT_SECONDS of work at ~3 ns per evaluation (nwcore, np.exp,
    np.exp2, 3 calls each), at least 5."""
    return max(5, int(EXACT_SECONDS / (3 * 3 * 1e-9 * count)))


def exponential_run(count, exponential=np.exp):
    """A call applying ``exponential`` to ``count`` float64 values (32 Ki-value chunks in
    cache), and the number of values it really covers.

    Source and target sit half a 4 KiB page apart: when their addresses agree in the low 12
    bits (separate allocations often nearly do), loads stall on the stores before them (4K
    aliasing), which made np.exp up to 18 % slower here and the floor too easy to beat.
    """
    buffer = np.empty(2 * FLOOR_CHUNK + 256)
    source, target = buffer[:FLOOR_CHUNK], buffer[FLOOR_CHUNK + 256:]
    source[:] = np.random.default_rng(0).uniform(-50.0, 0.0, FLOOR_CHUNK)
    chunks = max(1, int(count) // FLOOR_CHUNK)

    def run():
        for _ in range(chunks):
            exponential(source, out=target)

    return run, chunks * FLOOR_CHUNK


def exp_floor_ns(count):
    """ns per value of np.exp over ``count`` float64 values, in cache-resident chunks."""
    run, covered = exponential_run(count)
    return float(np.median(interleaved_times([run], 3)[0])) / covered * 1e9


def d2l_naive(queries, keys, values, h):
    """d2l's nonparametric pooling: the full matrix, a (stable) softmax, one matmul."""
    logits = -((queries[:, None] - keys[None, :]) / h) ** 2 / 2
    logits -= logits.max(axis=1, keepdims=True)
    attention = np.exp(logits)
    attention /= attention.sum(axis=1, keepdims=True)
    return attention @ values


def statsmodels_fit(keys, values, queries, h, reg_type):
    from statsmodels.nonparametric.kernel_regression import KernelReg

    return KernelReg(endog=values, exog=keys, var_type="c", reg_type=reg_type,
                     bw=[h]).fit(queries)[0]


def statsmodels_ns(keys, values, queries, h, reg_type, budget):
    """statsmodels ns per evaluation, or None when a 20-query probe predicts > budget seconds."""
    probe, _ = best_time(lambda: statsmodels_fit(keys, values, queries[:20], h, reg_type), 1)
    if probe * queries.size / 20 > budget:
        return None, probe * queries.size / 20
    seconds, _ = best_time(lambda: statsmodels_fit(keys, values, queries, h, reg_type), 1)
    return seconds / (keys.size * queries.size) * 1e9, seconds


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    keys = rng.uniform(0.0, 5.0, n)
    return keys, 2.0 * np.sin(keys) + keys ** 0.8 + rng.normal(0.0, 0.5, n)


def blas_line():
    blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pools = "threadpoolctl not installed (nwcore's tiles keep OpenBLAS on one thread)"
    else:
        pools = "; ".join(f"{p['internal_api']} {p['version']} threads={p['num_threads']}"
                          for p in threadpool_info())
    return (f"BLAS: {blas['name']} {blas['version']} | OPENBLAS_NUM_THREADS="
            f"{os.environ['OPENBLAS_NUM_THREADS']} | OPENBLAS_CORETYPE="
            f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')} | {pools}")


def exact_rows(rows, quick):
    budget = 1.5 if quick else 4.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for function, label, reg_type in ((nwcore.nadaraya_watson, "exact NW", "lc"),
                                          (nwcore.local_linear, "exact local linear", "ll")):
            for n_keys in KEY_SIZES:
                keys, values = data(n_keys)
                h = float(np.ptp(keys))
                for n_queries in QUERY_SIZES:
                    queries = np.linspace(0.0, 5.0, n_queries)
                    count = n_keys * n_queries
                    floor_run, covered = exponential_run(count)
                    exp2_run, _ = exponential_run(count, np.exp2)
                    ours, exp_times, exp2_times = interleaved_times(
                        [lambda: function(queries, keys, values, bandwidth=h, method="exact"),
                         floor_run, exp2_run], exact_rounds(count))
                    seconds = float(np.median(ours))
                    ns = seconds / count * 1e9
                    floor = float(np.median(exp_times)) / covered * 1e9
                    exp2 = float(np.median(exp2_times)) / covered * 1e9
                    row = {"what": label, "keys": n_keys, "queries": n_queries, "h": "range",
                           "seconds": seconds, "ns": ns, "floor": floor, "exp2": exp2,
                           "note": f"min {ours.min() / count * 1e9:.2f} ns = "
                                   f"{ours.min() / exp_times.min():.2f} x min exp"}
                    repeats = 3 if count <= 2e7 else 2
                    if reg_type == "lc":
                        if count <= NAIVE_MAX_ELEMENTS:
                            naive, _ = best_time(lambda: d2l_naive(queries, keys, values, h),
                                                 repeats)
                            row["naive"] = naive / count * 1e9
                        else:
                            row["naive_note"] = "skipped (memory)"
                    sm_ns, sm_seconds = statsmodels_ns(keys, values, queries, h, reg_type,
                                                       budget)
                    if sm_ns is None:
                        row["sm_note"] = f"skipped (~{sm_seconds:.0f} s)"
                    else:
                        row["sm"] = sm_ns
                    rows.append(row)
                    print(f"  {label} {n_keys} x {n_queries}: {ns:.2f} ns/eval "
                          f"({ns / floor:.2f} x exp, {ns / exp2:.2f} x exp2)", flush=True)


def binned_row(rows):
    keys, values = data(1_000_000, 1)
    queries = np.linspace(0.0, 5.0, 2000)
    h = 0.05 * float(np.ptp(keys))
    seconds, binned = best_time(lambda: nwcore.nadaraya_watson(queries, keys, values,
                                                               bandwidth=h, method="binned"), 3)
    subset = np.linspace(0, queries.size - 1, 50).astype(int)
    exact = nwcore.nadaraya_watson(queries[subset], keys, values, bandwidth=h, method="exact")
    error = np.max(np.abs(binned[subset] - exact)) / np.ptp(values)
    count = keys.size * queries.size
    floor = exp_floor_ns(1 << 26)  # per value; the count itself would take seconds
    rows.append({"what": "binned NW", "keys": keys.size, "queries": queries.size,
                 "h": "0.05 range", "seconds": seconds, "ns": seconds / count * 1e9,
                 "floor": floor, "note": f"max error {error:.1e} x range(y) on 50 queries"})
    print(f"  binned NW 1e6 x 2000: {seconds:.3f} s, error {error:.1e}", flush=True)


def landscape_rows(rows, quick):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for n in LANDSCAPE_SIZES:
            keys, values = data(n, 2)
            bandwidths = np.geomspace(0.002, 10.0, 30) * float(np.ptp(keys))
            repeats = 3 if n <= 100_000 else 2
            seconds, _ = best_time(lambda: nwcore.loo_cv_curve(keys, values, bandwidths),
                                   repeats)
            row = {"what": "loo_cv_curve, 30 h", "keys": n, "queries": n, "h": "30 values",
                   "seconds": seconds}
            if n <= 1_000 or (n <= 4_000 and not quick):
                from statsmodels.nonparametric.kernel_regression import KernelReg

                start = time.perf_counter()
                chosen = KernelReg(endog=values, exog=keys, var_type="c", reg_type="lc",
                                   bw="cv_ls").bw[0]
                sm_seconds = time.perf_counter() - start
                ours_seconds, ours = best_time(
                    lambda: nwcore.select_bandwidth(keys, values, method="loo_cv"), 1)
                row["note"] = (f"statsmodels cv_ls {sm_seconds:.2f} s (h={chosen:.4f}) = "
                               f"{sm_seconds / ours_seconds:.0f} x select_bandwidth "
                               f"{ours_seconds:.2f} s (h={ours:.4f})")
            elif n <= 4_000:
                row["note"] = "statsmodels cv_ls skipped (--quick)"
            rows.append(row)
            print(f"  loo_cv_curve n={n}: {seconds:.3f} s", flush=True)


def memory_row(rows):
    keys, values = data(1_000_000, 3)
    queries = np.linspace(0.0, 5.0, 2000)
    h = 0.01 * float(np.ptp(keys))
    for function, label in ((nwcore.nadaraya_watson, "NW"), (nwcore.local_linear, "LL")):
        tracemalloc.start()
        start = time.perf_counter()
        function(queries, keys, values, bandwidth=h, method="exact")
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"what": f"exact {label} peak memory", "keys": keys.size,
                     "queries": queries.size, "h": "0.01 range", "seconds": seconds,
                     "note": f"peak extra {peak / 2**20:.1f} MiB (inputs 16 MiB not counted)"})
        print(f"  memory {label}: {peak / 2**20:.1f} MiB", flush=True)


def print_table(rows):
    header = ("what", "n_keys", "n_queries", "h", "time s", "ns/eval", "exp ns", "x exp",
              "exp2 ns", "x exp2", "naive ns", "naive/nw", "sm ns", "sm/nw", "note")
    lines = []
    for row in rows:
        ns, floor, exp2 = row.get("ns"), row.get("floor"), row.get("exp2")

        def number(value, form):
            return format(value, form) if value is not None else "-"

        naive, sm = row.get("naive"), row.get("sm")
        lines.append((
            row["what"], f"{row['keys']:.0e}".replace("+0", ""),
            f"{row['queries']:.0e}".replace("+0", ""), row["h"], f"{row['seconds']:.3f}",
            number(ns, ".2f"), number(floor, ".2f"),
            number(ns / floor if ns and floor else None, ".2f"), number(exp2, ".2f"),
            number(ns / exp2 if ns and exp2 else None, ".2f"),
            number(naive, ".2f") if naive else row.get("naive_note", "-"),
            number(naive / ns if naive and ns else None, ".1f"),
            number(sm, ".1f") if sm else row.get("sm_note", "-"),
            number(sm / ns if sm and ns else None, ".0f"), row.get("note", "")))
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]
    for cells in [header, tuple("-" * w for w in widths), *lines]:
        print(" | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the slowest peers")
    quick = parser.parse_args().quick
    print(blas_line())
    started = time.perf_counter()
    rows = []
    exact_rows(rows, quick)
    binned_row(rows)
    landscape_rows(rows, quick)
    memory_row(rows)
    print()
    print_table(rows)
    print(f"\n(ns/eval = time / (n_keys x n_queries), median; x exp, x exp2 = ns/eval over the "
          f"np.exp and np.exp2 floors (medians); "
          f"naive/nw and sm/nw = how many times slower the peer is; total "
          f"{time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

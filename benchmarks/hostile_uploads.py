"""Time and memory per hostile upload: nwcore.reading against pandas' own readers, side by side.

Every case of the corpus marked hostile (tests/make_bad_uploads.py) is read by
``nwcore.reading.read_table`` in a forked child, so that each peak is its own: the median time of
three reads (wall clock, and CPU time, which a busy machine disturbs less), the peak RSS growth,
and the peak of Python (tracemalloc) plus Arrow allocations.
The peer is pandas' plain reader for the format (``read_csv``, ``read_excel``, ``read_parquet``,
``read_json``, defaults), once, killed after ``--timeout`` seconds. Measured, not asserted (the
test suite asserts ≤ 0.5 s and ≤ 50 MB on a loaded machine).

    python benchmarks/hostile_uploads.py [--timeout 20] [--no-peers] [--only WORD]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from nwcore.reading import read_table  # noqa: E402
from tests.make_bad_uploads import bad_upload_cases, measure_in_child, measure_read  # noqa: E402

PEERS = {"csv": pd.read_csv, "tsv": pd.read_csv, "txt": pd.read_csv, "xlsx": pd.read_excel,
         "parquet": pd.read_parquet, "json": pd.read_json}
MB = 2**20


def peer_read(case) -> str:
    reader = PEERS[case.filename.rsplit(".", 1)[-1]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = reader(io.BytesIO(case.data))
    except Exception as error:  # noqa: BLE001 - any failure is an outcome here
        return type(error).__name__
    return f"{frame.shape[0]:,}x{frame.shape[1]:,}"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--timeout", type=float, default=20.0,
                         help="seconds before a pandas peer is killed")
    options.add_argument("--no-peers", action="store_true", help="measure nwcore only")
    options.add_argument("--only", default="", help="cases whose name contains this")
    arguments = options.parse_args()
    cases = [case for case in bad_upload_cases()
             if case.hostile and arguments.only.lower() in case.name.lower()]
    for warm in ("xlsx", "parquet", "json columns", "comment lines"):  # imports, patterns
        case = next(case for case in bad_upload_cases() if case.name == warm)
        read_table(case.data, case.filename)
    print(f"{len(cases)} hostile cases; nwcore: median of 3 forked reads; pandas: one read, "
          f"killed after {arguments.timeout:g} s. RSS = peak RSS growth of the child; traced = "
          "tracemalloc peak + Arrow pool peak.\n")
    header = (f"| {'case':<58} | {'size':>10} | {'nwcore':<7} | {'ms':>7} | {'CPU ms':>7} | "
              f"{'RSS MB':>7} | {'traced MB':>9} |")
    if not arguments.no_peers:
        header += f" {'pandas':<20} | {'s':>7} | {'RSS MB':>7} |"
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    worst = {"ms": 0.0, "cpu": 0.0, "rss": 0.0, "traced": 0.0}
    for case in cases:
        runs = [measure_read(case) for _ in range(3)]
        ms = statistics.median(run["seconds"] for run in runs) * 1000
        cpu = statistics.median(run["cpu"] for run in runs) * 1000
        rss = max(run["rss"] for run in runs) / MB
        traced = max(run["traced"] for run in runs) / MB
        worst = {"ms": max(worst["ms"], ms), "cpu": max(worst["cpu"], cpu),
                 "rss": max(worst["rss"], rss), "traced": max(worst["traced"], traced)}
        line = (f"| {case.name[:58]:<58} | {len(case.data):>10,} | {runs[0]['outcome']:<7} | "
                f"{ms:>7.1f} | {cpu:>7.1f} | {rss:>7.1f} | {traced:>9.1f} |")
        if not arguments.no_peers:
            peer = measure_in_child(lambda case=case: peer_read(case), timeout=arguments.timeout,
                                    traced=False)
            seconds = f"{peer['seconds']:.2f}" if "seconds" in peer else "-"
            memory = f"{peer['rss'] / MB:.0f}" if "rss" in peer else "-"
            line += f" {peer['outcome'][:20]:<20} | {seconds:>7} | {memory:>7} |"
        print(line, flush=True)
    print(f"\nworst nwcore case: {worst['ms']:.1f} ms ({worst['cpu']:.1f} ms of CPU), RSS "
          f"+{worst['rss']:.1f} MB, traced {worst['traced']:.1f} MB (budget: 100 ms, 50 MB)")


if __name__ == "__main__":
    main()

"""Start and stop the app on a free loopback port (shared by the benchmarks, the browser tests
and the screenshot script), and the benchmarks' percentile."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log, extra: list[str] = (),
                 script: str = "app.py") -> subprocess.Popen:
    """`streamlit run <script>` (a path from the project root) on loopback; returns once
    /_stcore/health answers ok."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", *extra],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                        timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("the app server did not become healthy within 60 s")


def stop_server(process: subprocess.Popen | None) -> None:
    """Stop the server we started, by its PID."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def benchmark_server(extra_args, *, hard_deadline: float, log_prefix: str,
                     script: str = "app.py"):
    """The app (or another ``script``) for a benchmark run: its log in a temporary file, a
    watchdog that stops the server and exits after ``hard_deadline`` seconds, and a stop by PID
    however the run ends (SIGTERM included). Yields (process, port, log_path); on an error the
    log's tail is printed."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    process = None
    with tempfile.TemporaryDirectory(prefix=log_prefix) as tmp:
        log_path = Path(tmp) / "server.log"
        try:
            with open(log_path, "wb") as log:
                port = free_port()
                process = start_server(port, log, extra_args, script)
                print(f"server pid {process.pid} on 127.0.0.1:{port} "
                      f"{' '.join(extra_args)}".rstrip(), flush=True)
                watchdog = threading.Timer(hard_deadline, _hard_stop, args=(process,))
                watchdog.daemon = True
                watchdog.start()
                try:
                    yield process, port, log_path
                finally:
                    watchdog.cancel()
        except BaseException:
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop_server(process)


def _hard_stop(process: subprocess.Popen) -> None:
    print("hard deadline: stopping the server and exiting", file=sys.stderr, flush=True)
    stop_server(process)
    os._exit(2)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN for no values."""
    return float(np.percentile(values, q)) if values else float("nan")

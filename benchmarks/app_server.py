"""Start and stop the app on a free loopback port (shared by the benchmarks, the browser tests
and the screenshot script), N replicas of it behind nginx (``deploy/nginx.conf``), how they all
launch chromium and wait for a page's run, and the benchmarks' percentile and load average."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
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
#: Headless Debian chromium as the browser tests, the benchmarks and the screenshots launch it.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def chromium_executable(explicit: str | None = None) -> str | None:
    """Debian's chromium: ``explicit``, else $CHROMIUM_PATH, else the one on PATH (None if
    there is none; Playwright cannot download its own browser here)."""
    return explicit or os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


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


@contextlib.contextmanager
def running_app(script: str = "app.py"):
    """The app (or another script, a path from the project root) on a free loopback port for the
    duration of the block; yields its base URL."""
    port = free_port()
    process = start_server(port, subprocess.DEVNULL, script=script)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


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
    with running_cluster(1, extra_args, hard_deadline=hard_deadline, log_prefix=log_prefix,
                         script=script) as cluster:
        yield cluster.servers[0], cluster.port, cluster.logs[0]


def _hard_stop(processes: list[subprocess.Popen]) -> None:
    print("hard deadline: stopping the servers and exiting", file=sys.stderr, flush=True)
    for process in processes:
        stop_server(process)
    os._exit(2)


#: The affinity proxy's configuration (its upstream servers and listen port are replaced).
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
#: What the proxy logs for each request: which replica answered it, for which browser.
NGINX_LOG_FORMAT = '$upstream_addr "$request" $status $lab_replica'


def start_nginx(port: int, replica_ports: list[int], directory: Path) -> subprocess.Popen:
    """Debian's nginx on 127.0.0.1:``port`` in front of the replicas, configured by
    ``deploy/nginx.conf`` (upstream servers and listen port replaced) inside a top-level file in
    ``directory`` (its pid, error log, temporary files and ``access.log``, one line per request
    in :data:`NGINX_LOG_FORMAT`); returns once it accepts connections."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (Debian: apt-get install -y nginx)")
    site, servers = re.subn(r"(?m)^\s*server 127\.0\.0\.1:\d+;\n", "", NGINX_CONF.read_text())
    upstream = "".join(f"    server 127.0.0.1:{replica};\n" for replica in replica_ports)
    site, hashes = re.subn(r"(hash \$lab_replica consistent;\n)", lambda m: m[1] + upstream, site)
    site, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{port};", site)
    if not (servers and hashes == listens == 1):
        raise RuntimeError(f"{NGINX_CONF} no longer has the upstream and listen lines to replace")
    for folder in (directory.parent, directory):
        folder.chmod(0o755)  # nginx's workers (not root) make their temporary files in it
    (directory / "site.conf").write_text(site)
    temp_paths = "".join(f"    {kind}_temp_path {directory / kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (directory / "nginx.conf").write_text(
        f"worker_processes auto;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n    log_format replicas '{NGINX_LOG_FORMAT}';\n"
        f"    access_log {directory / 'access.log'} replicas;\n{temp_paths}"
        f"    include {directory / 'site.conf'};\n}}\n")
    process = subprocess.Popen([nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"),
                                "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error_log = directory / "error.log"
            raise RuntimeError("nginx exited: " + (error_log.read_text()[-2000:]
                                                   if error_log.exists() else "no log"))
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    stop_server(process)
    raise RuntimeError("nginx did not accept connections within 20 s")


@dataclasses.dataclass
class Cluster:
    """Running app servers and the address clients use: the one server itself, or the nginx
    proxy in front of the replicas (then ``access_log`` is its log of which replica answered)."""

    servers: list[subprocess.Popen]
    server_ports: list[int]
    port: int
    logs: list[Path]
    access_log: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running_cluster(replicas: int = 1, extra_args=(), *, proxy: bool | None = None,
                    hard_deadline: float | None = None, log_prefix: str = "nw-app-",
                    script: str = "app.py"):
    """``replicas`` app servers (logs in a temporary directory), behind nginx with
    ``deploy/nginx.conf``'s affinity when ``proxy`` (default: more than one replica); every
    process is stopped by its PID however the block ends. With ``hard_deadline`` a watchdog stops
    them and exits after that many seconds. Yields a :class:`Cluster`."""
    proxy = replicas > 1 if proxy is None else proxy
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix=log_prefix) as tmp:
        logs = [Path(tmp) / f"server{index}.log" for index in range(replicas)]
        try:
            ports = []
            for log_path in logs:
                ports.append(free_port())
                with open(log_path, "wb") as log:
                    processes.append(start_server(ports[-1], log, list(extra_args), script))
            cluster = Cluster(list(processes), ports, ports[0], logs)
            if proxy:
                cluster.port = free_port()
                (Path(tmp) / "nginx").mkdir()
                processes.append(start_nginx(cluster.port, ports, Path(tmp) / "nginx"))
                cluster.access_log = Path(tmp) / "nginx" / "access.log"
            print(f"server pids {' '.join(str(p.pid) for p in processes[:replicas])} on "
                  f"127.0.0.1:{','.join(map(str, ports))}"
                  + (f", nginx pid {processes[-1].pid} on 127.0.0.1:{cluster.port}"
                     if proxy else "") + f" {' '.join(extra_args)}".rstrip(), flush=True)
            watchdog = None
            if hard_deadline is not None:
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
                watchdog = threading.Timer(hard_deadline, _hard_stop, args=(processes,))
                watchdog.daemon = True
                watchdog.start()
            try:
                yield cluster
            finally:
                if watchdog is not None:
                    watchdog.cancel()
        except BaseException:
            for log_path in logs:
                if log_path.exists():
                    print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            for process in reversed(processes):
                stop_server(process)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN for no values."""
    return float(np.percentile(values, q)) if values else float("nan")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, for a benchmark's report."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def wait_for_app_run(page, timeout: int = 30000) -> None:
    """Wait until a Playwright page's script run finished and nothing is loading (as
    Streamlit's own e2e tests do): connected, script not running, no skeletons."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)
    page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=timeout)

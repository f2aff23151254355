"""Websocket-level load test of the Explore page's bandwidth control (a script, not a test).

Starts its own app server on a free loopback port (or ``--replicas N`` servers behind nginx with
``deploy/nginx.conf``'s affinity), opens S sessions as a browser does (``GET /Explore`` and
``GET /_stcore/health`` for the proxy's ``lab_replica`` and Streamlit's ``_streamlit_xsrf``
cookies: each session its own, so the proxy spreads them; then the websocket
``/_stcore/stream``, subprotocol ``streamlit``, with those cookies, speaking the installed
package's BackMsg/ForwardMsg protobufs), reports the window's size as the page's size component
does in a browser (one more fragment run) and moves h the way the browser does:

* the live chart (the d2l preset: computed in the browser while h is dragged): a drag ends with
  one ``rerun_script`` whose ``ClientState.widget_states`` sets the chart's element (the
  ``vega_lite_chart`` whose id holds the key prefix ``live:``) to the selection Streamlit's
  frontend sends, ``string_value`` ``{"selection":{"bandwidth":[{"h_stop":k}]}}`` (captured
  from chromium's websocket frames; ``"pin"`` joins it once a query was clicked), k the index of
  the chosen stop (the stops are read from the chart's spec);
* the server slider (data above the live limit, e.g. ``--query n=5000``): the bandwidth
  ``st.select_slider`` (key ``_w_h``) with its formatted option (``string_array_value``).
Each rerun names the Explore fragment's id (so only the fragment reruns) and the hashes of the
cacheable messages the session holds (``cached_message_hashes``: the server then sends a
reference instead of an unchanged chart, as it does for a browser). Each rerun is timed from
the send to ``script_finished`` (``FINISHED_EARLY_FOR_RERUN`` is ignored) and checked: no
exception deltas, and the ``h`` the page writes into the URL (``page_info_changed``) is the one
sent.

Phases (every session stays connected throughout):
  1. connect: S sessions load /Explore (the d2l classic preset, the default) and report their
     size;
  2. warm-up: S x W moves without think time (default 5; fills the caches);
  3. think: S x M moves, each followed by a think time (default 2 s, jitter +-25 %), to a random
     valid stop;
  4. memory: rounds of S x R moves without think time until the reruns after warm-up reach
     --memory-reruns (phase 3 counts); RSS is recorded at each round's end. A round starts
     only if it should end within the soft budget (default 8 min, at the rate measured so far).
Server RSS (psutil, each replica) is sampled every 0.5 s. A hard deadline (default 9 min) stops
the run; every process it started is stopped by its PID.

    python benchmarks/load_test.py                   # full run: 100 x 50, 2 s think
    python benchmarks/load_test.py --quick           # 4 x 10, ~1 min
    python benchmarks/load_test.py --sessions 200 --replicas 2     # behind nginx
    python benchmarks/load_test.py --sessions 1 --moves 40 --think 0 --memory-reruns 0
    python benchmarks/load_test.py --query n=5000    # the server slider (250,000 cells)

Targets (2-core machine): 0 errors, 0 exceptions, p95 <= 1 s with a 2 s think time,
RSS growth <= 25 MB per process over 2000 reruns after warm-up. Exit status 0 when all are
met, 1 if not, 2 if the run could not start or hit the deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import parse_qs

import psutil
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from app_server import load_average, percentile, running_cluster  # noqa: E402 (run as a script)

ROOT = Path(__file__).resolve().parents[1]
PAGE_NAME = "Explore"
LIVE_KEY_PREFIX = "live:"           # the live chart's key (ui/explore.py), in its element id
BANDWIDTH_PARAM, STOP_FIELD = "bandwidth", "h_stop"   # nwcore.live_chart's selection
H_VALUE_PARAM = "h_value"           # the live chart's parameter: the stops indexed by h_stop
SLIDER_KEY_SUFFIX = "_w_h"          # the server path's select_slider key (in its element id)
SIZE_KEY_SUFFIX = "-page_width"     # the page's size component (ui/viewport.py)
#: What the size component reports in chromium at 1400 x 1000 (the browser benchmarks' window).
BROWSER_SIZE = {"size": {"wide": True, "column": 960, "height": 1000}}
DEFAULT_H = 1.0                     # h absent from the URL means the default (ui/state.py)
RERUN_TIMEOUT = 30.0                # seconds per rerun before it counts as an error
#: Script runs a cached message is reported after its last use (the frontend's
#: ForwardMsgCache keeps messages this long; the server's global.maxCachedMessageAge is 2).
CACHE_AGE = 2
FINISHED = ForwardMsg.ScriptFinishedStatus


# --------------------------------------------------------------------------- server


class RssSampler(threading.Thread):
    """The servers' RSS (each process and its children) every ``interval`` seconds."""

    def __init__(self, pids: list[int], interval: float = 0.5):
        super().__init__(daemon=True)
        self.processes = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.samples: list[tuple[float, list[float]]] = []
        self.stopped = threading.Event()

    @staticmethod
    def _rss_mb(process: psutil.Process) -> float:
        try:
            total = process.memory_info().rss
            for child in process.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            return total / 2**20
        except psutil.Error:
            return float("nan")

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self.processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                return float("nan")
        return total

    def sample(self) -> list[float]:
        """Each server's RSS in MB, now."""
        values = [self._rss_mb(process) for process in self.processes]
        self.samples.append((time.monotonic(), values))
        return values

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def peak(self) -> list[float]:
        return [max((values[i] for _, values in self.samples if not math.isnan(values[i])),
                    default=float("nan")) for i in range(len(self.processes))]


def sessions_per_server(ports: list[int]) -> list[int]:
    """Established connections to each server's port (a session's websocket is one; the
    proxy's idle keep-alive connections to a replica may add a few)."""
    counts = Counter(conn.laddr.port for conn in psutil.net_connections("tcp4")
                     if conn.status == psutil.CONN_ESTABLISHED and conn.laddr.port in ports)
    return [counts[port] for port in ports]


# --------------------------------------------------------------------------- statistics


@dataclass
class PhaseStats:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exceptions: int = 0
    error_alerts: int = 0
    wrong: int = 0
    early: int = 0
    started: float = 0.0
    ended: float = 0.0

    def row(self) -> str:
        lat = self.latencies
        rate = len(lat) / (self.ended - self.started) if self.ended > self.started else 0.0
        return (f"{self.name:<10} {len(lat):>6} {len(self.errors):>4} {self.exceptions:>4} "
                f"{self.wrong:>5} {percentile(lat, 50):>8.3f} {percentile(lat, 95):>8.3f} "
                f"{percentile(lat, 99):>8.3f} {max(lat, default=float('nan')):>8.3f} "
                f"{rate:>7.1f} {self.ended - self.started:>7.1f}")


HEADER = (f"{'phase':<10} {'reruns':>6} {'err':>4} {'exc':>4} {'wrong':>5} {'p50 s':>8} "
          f"{'p95 s':>8} {'p99 s':>8} {'max s':>8} {'rr/s':>7} {'secs':>7}")


# --------------------------------------------------------------------------- one session


class SessionError(Exception):
    pass


class Session:
    """One browser's session on the Explore page, over the websocket."""

    def __init__(self, index: int, base_url: str, query: str, rng: random.Random):
        self.index = index
        self.base_url = base_url
        self.query = query
        self.rng = rng
        self.ws = None
        self.alive = False
        self.cookie = ""
        self.page_hash = ""
        self.query_string = ""
        self.fragment_id = ""
        self.control = ""                 # "chart" (the live chart) or "slider" (server path)
        self.control_id = ""
        self.stops: list[float] = []      # h at each stop of the control
        self.labels: list[str] = []       # the slider's formatted options
        self.position: int | None = None  # index of the current stop
        self.size_id = ""
        self.cache: dict[str, list] = {}  # hash -> [ForwardMsg, script run it was last used]
        self.runs = 0
        self.reruns = 0

    def _browser_cookies(self) -> str:
        """What a browser holds before its websocket opens: the page's answer (the proxy's
        affinity cookie) and the health check's (Streamlit's XSRF cookie)."""
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in (f"/{PAGE_NAME}?{self.query}", "/_stcore/health"):
            with opener.open(self.base_url + path, timeout=RERUN_TIMEOUT) as response:
                response.read()
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)

    async def connect(self, stats: PhaseStats, report_size: bool) -> None:
        try:
            self.cookie = await asyncio.to_thread(self._browser_cookies)
            self.ws = await websockets.connect(
                self.base_url.replace("http", "ws", 1) + "/_stcore/stream",
                subprotocols=["streamlit"], additional_headers={"Cookie": self.cookie},
                max_size=None, open_timeout=RERUN_TIMEOUT, ping_interval=None)
        except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as error:
            stats.errors.append(f"session {self.index}: connect: {error!r}")
            return
        self.alive = True
        message = BackMsg()
        message.rerun_script.page_name = PAGE_NAME     # what the browser sends for /Explore
        message.rerun_script.query_string = self.query
        await self._run(message, stats, expected=None)
        if self.alive and report_size and self.size_id:
            await self._run(self._rerun(), stats, expected=None)
        if self.alive and not (self.control_id and self.page_hash and self.stops):
            self.alive = False
            stats.errors.append(f"session {self.index}: no bandwidth control or page hash in "
                                "the first run")

    def _rerun(self, stop: int | None = None) -> BackMsg:
        """A fragment rerun as the browser sends it: the page's size, and the control at
        ``stop`` (the end of a drag, or a slider move) unless None."""
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.page_hash
        state.query_string = self.query_string
        if self.fragment_id:
            state.fragment_id = self.fragment_id
        state.cached_message_hashes.extend(
            digest for digest, (_, used) in self.cache.items() if self.runs - used <= CACHE_AGE)
        if self.size_id:
            widget = state.widget_states.widgets.add()
            widget.id = self.size_id
            widget.json_value = json.dumps(BROWSER_SIZE, separators=(",", ":"))
        if stop is not None:
            widget = state.widget_states.widgets.add()
            widget.id = self.control_id
            if self.control == "chart":
                widget.string_value = json.dumps(
                    {"selection": {BANDWIDTH_PARAM: [{STOP_FIELD: stop}]}}, separators=(",", ":"))
            else:
                widget.string_array_value.data.append(self.labels[stop])
        return message

    async def move(self, stats: PhaseStats) -> None:
        """Move h to a random other stop and wait for the rerun."""
        target = self.rng.choice([i for i in range(len(self.stops)) if i != self.position])
        await self._run(self._rerun(target), stats, expected=target)

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self.alive = False

    async def _run(self, message: BackMsg, stats: PhaseStats, expected: int | None) -> None:
        """Send one rerun and read ForwardMsgs until its script_finished."""
        started = time.perf_counter()
        self.runs += 1
        try:
            await self.ws.send(message.SerializeToString())
            async with asyncio.timeout(RERUN_TIMEOUT):
                while True:
                    raw = await self.ws.recv()
                    if isinstance(raw, str):
                        raise SessionError("text frame from the server")
                    forward = ForwardMsg()
                    forward.ParseFromString(raw)
                    kind = forward.WhichOneof("type")
                    if kind == "ref_hash":
                        if forward.ref_hash not in self.cache:
                            raise SessionError("a reference to a message never received")
                        self.cache[forward.ref_hash][1] = self.runs
                        forward = self.cache[forward.ref_hash][0]
                        kind = forward.WhichOneof("type")
                    elif forward.metadata.cacheable:
                        self.cache[forward.hash] = [forward, self.runs]
                    if kind == "delta":
                        self._delta(forward, stats)
                    elif kind == "navigation":
                        self.page_hash = forward.navigation.page_script_hash or self.page_hash
                    elif kind == "new_session" and not self.page_hash:
                        self.page_hash = forward.new_session.page_script_hash
                    elif kind == "page_info_changed":
                        self.query_string = forward.page_info_changed.query_string
                    elif kind == "page_not_found":
                        raise SessionError("page_not_found")
                    elif kind == "script_finished":
                        status = forward.script_finished
                        if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                            stats.early += 1
                            continue
                        if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                            stats.exceptions += 1
                        break
        except TimeoutError:
            stats.errors.append(f"session {self.index}: no script_finished within "
                                f"{RERUN_TIMEOUT:.0f} s")
            self.alive = False
            return
        except (OSError, websockets.WebSocketException, SessionError) as error:
            stats.errors.append(f"session {self.index}: {error!r}")
            self.alive = False
            return
        self.cache = {digest: entry for digest, entry in self.cache.items()
                      if self.runs - entry[1] <= CACHE_AGE}
        elapsed = time.perf_counter() - started
        self.reruns += 1
        stats.latencies.append(elapsed)       # the connect phase: the first full page run
        if expected is not None:
            self.position = expected
            if not self._url_h_matches(self.stops[expected]):
                stats.wrong += 1

    def _delta(self, forward: ForwardMsg, stats: PhaseStats) -> None:
        delta = forward.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            stats.exceptions += 1
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            stats.error_alerts += 1
        elif kind == "bidi_component" and element.bidi_component.id.endswith(SIZE_KEY_SUFFIX):
            self.size_id = element.bidi_component.id
        elif kind == "vega_lite_chart" and LIVE_KEY_PREFIX in element.vega_lite_chart.id:
            chart = element.vega_lite_chart
            params = {param.get("name"): param for param in json.loads(chart.spec)["params"]}
            stops = json.loads(params[H_VALUE_PARAM]["expr"].split("[" + BANDWIDTH_PARAM)[0])
            self.control, self.control_id, self.fragment_id = "chart", chart.id, delta.fragment_id
            self.stops, self.labels = [float(stop) for stop in stops], []
            self.position = params[BANDWIDTH_PARAM]["value"][0][STOP_FIELD]
        elif kind == "slider" and element.slider.id.endswith(SLIDER_KEY_SUFFIX):
            slider = element.slider
            self.control, self.control_id, self.fragment_id = "slider", slider.id, delta.fragment_id
            self.labels = list(slider.options)
            self.stops = [float(label) for label in self.labels]
            if slider.set_value and slider.raw_value:
                self.position = self.labels.index(slider.raw_value[0])
            elif self.position is None and slider.value:
                self.position = int(slider.value[0])

    def _url_h_matches(self, expected: float) -> bool:
        """The page mirrors h into the URL (absent = the default): is it the value sent?"""
        values = parse_qs(self.query_string.lstrip("?")).get("h")
        try:
            shown = float(values[0]) if values else DEFAULT_H
            return math.isclose(shown, expected, rel_tol=1e-9)
        except ValueError:
            return False


# --------------------------------------------------------------------------- phases


async def run_phase(sessions: list[Session], stats: PhaseStats, moves: int, think: float,
                    deadline: float, rng: random.Random) -> None:
    """Every live session does ``moves`` slider moves with ``think`` s between them."""

    async def worker(session: Session) -> None:
        if think > 0:
            await asyncio.sleep(rng.uniform(0, think))      # stagger the sessions
        for done in range(moves):
            if not session.alive or time.monotonic() > deadline:
                return
            await session.move(stats)
            if think > 0 and done < moves - 1:
                await asyncio.sleep(think * rng.uniform(0.75, 1.25))

    if not stats.started:
        stats.started = time.monotonic()
    await asyncio.gather(*(worker(session) for session in sessions))
    stats.ended = time.monotonic()


async def load_test(args, cluster, sampler: RssSampler, deadline: float,
                    budget: float) -> dict:
    rng = random.Random(args.seed)
    sessions = [Session(i, cluster.base_url, args.query, random.Random(rng.random()))
                for i in range(args.sessions)]
    phases: list[PhaseStats] = []
    rss: dict[str, list[float]] = {}
    rounds: list[tuple[int, list[float]]] = []

    connect = PhaseStats("connect")
    connect.started = time.monotonic()
    await asyncio.gather(*(session.connect(connect, args.report_size) for session in sessions))
    connect.ended = time.monotonic()
    phases.append(connect)
    hashes = {s.page_hash for s in sessions if s.alive}
    first = next((s for s in sessions if s.control_id), sessions[0])
    print(f"connected {sum(s.alive for s in sessions)}/{len(sessions)} sessions; Explore page "
          f"hash {', '.join(sorted(hashes)) or '?'}; {first.control or 'no control'} "
          f"{first.control_id or '?'}; {len(first.stops)} stops {first.stops[:1]}…"
          f"{first.stops[-1:]}; fragment {'yes' if first.fragment_id else 'no'}; size "
          f"component {'reported' if args.report_size and first.size_id else 'not reported'}",
          flush=True)
    if len(cluster.server_ports) > 1:
        print("websocket connections per replica: " + " / ".join(
            map(str, sessions_per_server(cluster.server_ports))), flush=True)

    if not any(session.alive for session in sessions):
        rss["after warm-up"] = rss["end (sessions open)"] = sampler.sample()
        return {"phases": phases, "rss": rss, "rounds": rounds, "reruns_after_warmup": 0,
                "deadline_hit": False, "control": "no control"}

    warm = None
    if args.warmup_moves:
        warm = PhaseStats("warm-up")
        await run_phase(sessions, warm, args.warmup_moves, 0.0, deadline, rng)
        phases.append(warm)
        print(f"warm-up done: {len(warm.latencies)} reruns in {warm.ended - warm.started:.1f} s",
              flush=True)
    rss["after warm-up"] = sampler.sample()

    think = PhaseStats("think")
    if args.moves:
        await run_phase(sessions, think, args.moves, args.think, deadline, rng)
        phases.append(think)
        print(f"think phase done: {len(think.latencies)} reruns in "
              f"{think.ended - think.started:.1f} s", flush=True)
    after_warmup = len(think.latencies)
    rounds.append((after_warmup, sampler.sample()))

    memory = PhaseStats("memory")
    budget_stop = False
    while (after_warmup < args.memory_reruns and time.monotonic() < deadline
           and any(s.alive for s in sessions)):
        live = sum(s.alive for s in sessions)
        per_session = min(args.round_moves,
                          max(1, math.ceil((args.memory_reruns - after_warmup) / live)))
        # Start a round only if it should end within the soft budget (at the rate so far).
        rate = 0.0                       # reruns/s without think time, measured so far
        for phase in (memory, warm):
            if phase is not None and phase.latencies and phase.started:
                rate = len(phase.latencies) / (time.monotonic() - phase.started
                                               if phase is memory else phase.ended - phase.started)
                break
        if rate > 0 and time.monotonic() + per_session * live / rate > budget:
            budget_stop = True
            break
        before = len(memory.latencies)
        await run_phase(sessions, memory, per_session, 0.0, deadline, rng)
        after_warmup += len(memory.latencies) - before
        rounds.append((after_warmup, sampler.sample()))
        print(f"memory round: {after_warmup} reruns after warm-up, RSS "
              f"{megabytes(rounds[-1][1])} MB", flush=True)
    memory.ended = time.monotonic()
    if memory.latencies or memory.errors:
        phases.append(memory)

    rss["end (sessions open)"] = sampler.sample()
    for session in sessions:
        await session.close()
    control = {"chart": "the live chart's commit", "slider": "the server slider"}.get(
        first.control, "no control")
    return {"phases": phases, "rss": rss, "rounds": rounds, "reruns_after_warmup": after_warmup,
            "deadline_hit": time.monotonic() > deadline, "budget_stop": budget_stop,
            "control": control}


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100, help="concurrent sessions (100)")
    parser.add_argument("--replicas", type=int, default=1,
                        help="app processes; more than one run behind nginx with "
                             "deploy/nginx.conf (1)")
    parser.add_argument("--proxy", action="store_true",
                        help="go through nginx even with one replica")
    parser.add_argument("--query", default="",
                        help="the Explore link's query string, e.g. n=5000 for the server "
                             "slider (none: the d2l preset, the live chart)")
    parser.add_argument("--no-size-report", dest="report_size", action="store_false",
                        help="do not report the window's size after the first run (the "
                             "browser does: one more run per session)")
    parser.add_argument("--moves", type=int, default=50,
                        help="slider moves per session in the think phase (50)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="think time in s after each move, +-25 %% jitter (2.0)")
    parser.add_argument("--warmup-moves", type=int, default=5,
                        help="moves per session before measuring, no think time (5)")
    parser.add_argument("--memory-reruns", type=int, default=2000,
                        help="reruns after warm-up over which RSS growth is measured (2000)")
    parser.add_argument("--round-moves", type=int, default=10,
                        help="moves per session per memory round (10)")
    parser.add_argument("--budget", type=float, default=480.0,
                        help="soft time budget in s: no memory round starts that would end "
                             "after it (480)")
    parser.add_argument("--deadline", type=float, default=540.0,
                        help="hard deadline for the whole run in s (540)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="extra `streamlit run` flag for an A/B run, e.g. "
                             "--server-arg=--runner.postScriptGC=false (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="4 sessions x 10 moves, 3 warm-up moves, 200 memory reruns")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.moves, args.warmup_moves, args.memory_reruns = 4, 10, 3, 200
    if args.sessions < 1 or args.moves < 0 or args.think < 0 or args.replicas < 1:
        parser.error("need --sessions >= 1, --replicas >= 1, --moves >= 0 and --think >= 0")
    return args


def megabytes(values: list[float]) -> str:
    """Each server's figure, then their sum when there are several."""
    shown = " / ".join(f"{value:.1f}" for value in values)
    return f"{shown} (sum {sum(values):.1f})" if len(values) > 1 else shown


def report(args, result: dict, rss_start: list[float], sampler: RssSampler,
           logs: list[Path]) -> int:
    phases = result["phases"]
    rss = result["rss"]
    print()
    where = (f"{args.replicas} replicas behind nginx" if args.replicas > 1
             else "one process behind nginx" if args.proxy else "one process")
    print(f"Explore's bandwidth ({result['control']}) over the websocket, {where}: "
          f"{args.sessions} sessions, {args.moves} moves, think {args.think:g} s (+-25 %), "
          f"warm-up {args.warmup_moves} moves/session; latency = send -> script_finished")
    print(HEADER)
    for phase in phases:
        print(phase.row())
    early = sum(p.early for p in phases)
    alerts = sum(p.error_alerts for p in phases)
    if early or alerts:
        print(f"(FINISHED_EARLY_FOR_RERUN ignored: {early}; st.error alerts: {alerts})")
    errors = [e for p in phases for e in p.errors]
    for error in errors[:10]:
        print("  error:", error)
    log_text = "".join(path.read_text(errors="replace") for path in logs if path.exists())
    tracebacks = log_text.count("Traceback (most recent call last)")

    print()
    print("Server RSS (MB" + (", each replica" if len(rss_start) > 1 else "") + ")")
    print(f"  start (idle)          {megabytes(rss_start)}")
    for name, values in rss.items():
        print(f"  {name:<21} {megabytes(values)}")
    print(f"  peak                  {megabytes(sampler.peak())}")
    rounds = result["rounds"]
    if rounds:
        print("  by reruns after warm-up: " + ", ".join(f"{n}: {megabytes(v)}"
                                                     for n, v in rounds))
    growth = [end - start for end, start in zip(rss["end (sessions open)"],
                                                rss["after warm-up"])]
    cpu, wall = result.get("cpu", (float("nan"), float("nan")))
    reruns = sum(len(p.latencies) for p in phases)
    print(f"Server CPU {cpu:.0f} s over {wall:.0f} s wall ({100 * cpu / wall:.0f} % of one core, "
          f"all replicas); {reruns} reruns, {1000 * cpu / max(reruns, 1):.0f} ms CPU per rerun; "
          f"this client {result['client_cpu']:.0f} s CPU")
    print(f"  growth over {result['reruns_after_warmup']} reruns after warm-up: "
          + " / ".join(f"{value:+.1f}" for value in growth) + " MB")

    if tracebacks:
        first = log_text[log_text.index("Traceback (most recent call last)"):]
        lines = [line for line in first.splitlines() if line and not line.startswith(" ")]
        print(f"  server log: {tracebacks} tracebacks; first ends with: {lines[1] if len(lines) > 1 else '?'}")

    think = next((p for p in phases if p.name == "think"), PhaseStats("think"))
    exceptions = sum(p.exceptions for p in phases)
    wrong = sum(p.wrong for p in phases)
    checks = [
        ("errors == 0", not errors, f"{len(errors)}"),
        ("exceptions == 0", exceptions == 0 and tracebacks == 0,
         f"{exceptions} exception deltas, {tracebacks} server tracebacks"),
        ("URL h == sent h", wrong == 0, f"{wrong} wrong"),
        (f"p95 <= 1 s (think {args.think:g} s)", percentile(think.latencies, 95) <= 1.0
         if think.latencies else None,
         f"{percentile(think.latencies, 95):.3f} s" if think.latencies else "no think phase"),
        ("RSS growth <= 25 MB", max(growth) <= 25.0,
         " / ".join(f"{value:+.1f}" for value in growth)
         + f" MB over {result['reruns_after_warmup']} reruns"),
    ]
    print()
    for name, ok, detail in checks:
        print(f"  {'SKIP' if ok is None else 'PASS' if ok else 'FAIL'}  {name:<24} {detail}")
    if result["reruns_after_warmup"] < args.memory_reruns:
        why = (f"the next memory round would have overrun the {args.budget:.0f} s budget "
               f"(--budget)" if result.get("budget_stop") else "sessions or time ran out")
        print(f"  note: only {result['reruns_after_warmup']} of {args.memory_reruns} reruns "
              f"after warm-up were run: {why}")
    if result["deadline_hit"]:
        print("  DEADLINE hit: the run was cut short")
        return 2
    return 0 if all(ok is not False for _, ok, _ in checks) else 1


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    deadline = started + args.deadline
    sampler = None
    print(f"load average at start: {load_average()} "
          f"({psutil.cpu_count()} cores)", flush=True)
    try:
        with running_cluster(args.replicas, args.server_arg, proxy=args.proxy or None,
                             hard_deadline=args.deadline + 60,
                             log_prefix="nw-load-") as cluster:
            sampler = RssSampler([process.pid for process in cluster.servers])
            time.sleep(1.0)
            rss_start = sampler.sample()
            cpu_start, wall_start = sampler.cpu_seconds(), time.monotonic()
            client_start = sum(psutil.Process().cpu_times()[:2])
            sampler.start()
            result = asyncio.run(asyncio.wait_for(
                load_test(args, cluster, sampler, deadline, started + args.budget),
                timeout=max(1.0, deadline - time.monotonic() + 45)))
            result["cpu"] = (sampler.cpu_seconds() - cpu_start, time.monotonic() - wall_start)
            result["client_cpu"] = sum(psutil.Process().cpu_times()[:2]) - client_start
            time.sleep(3.0)
            result["rss"]["after close + 3 s"] = sampler.sample()
            sampler.stopped.set()
            status = report(args, result, rss_start, sampler, cluster.logs)
        print(f"\nload average at end: {load_average()}; "
              f"total {time.monotonic() - started:.0f} s", flush=True)
        return status
    except (RuntimeError, asyncio.TimeoutError) as error:
        print(f"load test failed: {error!r}", file=sys.stderr)
        return 2
    finally:
        if sampler is not None:
            sampler.stopped.set()


if __name__ == "__main__":
    sys.exit(main())

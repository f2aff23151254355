"""Websocket-level load test of the Explore page's bandwidth slider (a script, not a test).

Starts its own app server on a free loopback port, opens S sessions over Streamlit's own
websocket protocol (``ws://127.0.0.1:P/_stcore/stream``, subprotocol ``streamlit``, the
installed package's BackMsg/ForwardMsg protobufs), and moves the bandwidth ``st.select_slider``
(key ``_w_h``) the way the browser does: a ``rerun_script`` BackMsg whose
``ClientState.widget_states`` carries the slider's formatted option string
(``string_array_value``, e.g. ``["0.35"]``) and whose ``fragment_id`` is the Explore fragment's
id, so only the fragment reruns. Each rerun is timed from the send to ``script_finished``
(``FINISHED_EARLY_FOR_RERUN`` is ignored) and checked: no exception deltas, and the ``h`` the
page writes into the URL (``page_info_changed``) is the one sent.

Phases (every session stays connected throughout):
  1. connect: S sessions load /Explore (the d2l classic preset, the default);
  2. warm-up: S x W moves without think time (default 5; fills the caches);
  3. think: S x M moves, each followed by a think time (default 2 s, jitter +-25 %), to a random
     valid stop;
  4. memory: rounds of S x R moves without think time until the reruns after warm-up reach
     --memory-reruns (phase 3 counts); RSS is recorded at each round's end. A round starts
     only if it should end within the soft budget (default 8 min, at the rate measured so far).
Server RSS (psutil) is sampled every 0.5 s. A hard deadline (default 9 min) stops the run.

    python benchmarks/load_test.py                   # full run: 20 x 50, 2 s think (<= ~8 min)
    python benchmarks/load_test.py --quick           # 4 x 10, ~1 min
    python benchmarks/load_test.py --sessions 1 --moves 40 --think 0 --memory-reruns 0

Targets (2-core machine): 0 errors, 0 exceptions, p95 <= 2 s with a 2 s think time,
RSS growth <= 25 MB over 2000 reruns after warm-up. Exit status 0 when all are met, 1 if not,
2 if the run could not start or hit the deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import psutil
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from app_server import benchmark_server, percentile  # noqa: E402 (run as a script)

ROOT = Path(__file__).resolve().parents[1]
PAGE_NAME = "Explore"
SLIDER_KEY_SUFFIX = "_w_h"          # the bandwidth select_slider's key (in its element id)
SLIDER_LABEL = "Bandwidth h"        # label prefix, a fallback to find the slider
DEFAULT_H = 1.0                     # h absent from the URL means the default (ui/state.py)
RERUN_TIMEOUT = 30.0                # seconds per rerun before it counts as an error
FINISHED = ForwardMsg.ScriptFinishedStatus


# --------------------------------------------------------------------------- server


class RssSampler(threading.Thread):
    """Server RSS (the process and any children) every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self.stopped = threading.Event()

    def rss_mb(self) -> float:
        try:
            total = self.process.memory_info().rss
            for child in self.process.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            return total / 2**20
        except psutil.Error:
            return float("nan")

    def cpu_seconds(self) -> float:
        try:
            times = self.process.cpu_times()
            return times.user + times.system
        except psutil.Error:
            return float("nan")

    def sample(self) -> float:
        value = self.rss_mb()
        self.samples.append((time.monotonic(), value))
        return value

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def peak(self) -> float:
        values = [v for _, v in self.samples if not math.isnan(v)]
        return max(values) if values else float("nan")


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
    """One websocket session on the Explore page."""

    def __init__(self, index: int, port: int, rng: random.Random):
        self.index = index
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.rng = rng
        self.ws = None
        self.alive = False
        self.page_hash = ""
        self.query_string = ""
        self.slider_id = ""
        self.options: list[str] = []
        self.value = ""
        self.fragment_id = ""
        self.reruns = 0

    async def connect(self, stats: PhaseStats) -> None:
        try:
            self.ws = await websockets.connect(self.url, subprotocols=["streamlit"],
                                               max_size=None, open_timeout=RERUN_TIMEOUT,
                                               ping_interval=None)
        except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as error:
            stats.errors.append(f"session {self.index}: connect: {error!r}")
            return
        self.alive = True
        message = BackMsg()
        message.rerun_script.page_name = PAGE_NAME     # what the browser sends for /Explore
        message.rerun_script.query_string = ""
        await self._run(message, stats, expected=None)
        if self.alive and not (self.slider_id and self.page_hash):
            self.alive = False
            stats.errors.append(f"session {self.index}: no bandwidth slider or page hash in "
                                "the first run")

    async def move(self, stats: PhaseStats) -> None:
        """Move the slider to a random other stop and wait for the rerun."""
        target = self.rng.choice([option for option in self.options if option != self.value])
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.page_hash
        state.query_string = self.query_string
        if self.fragment_id:
            state.fragment_id = self.fragment_id
        widget = state.widget_states.widgets.add()
        widget.id = self.slider_id
        widget.string_array_value.data.append(target)
        await self._run(message, stats, expected=target)

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self.alive = False

    async def _run(self, message: BackMsg, stats: PhaseStats, expected: str | None) -> None:
        """Send one rerun and read ForwardMsgs until its script_finished."""
        started = time.perf_counter()
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
        elapsed = time.perf_counter() - started
        self.reruns += 1
        stats.latencies.append(elapsed)       # the connect phase: the first full page run
        if expected is not None:
            self.value = expected
            if not self._url_h_matches(expected):
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
        elif kind == "slider":
            slider = element.slider
            if not (slider.id.endswith(SLIDER_KEY_SUFFIX) or SLIDER_KEY_SUFFIX in slider.id
                    or slider.label.startswith(SLIDER_LABEL)):
                return
            self.slider_id = slider.id
            self.options = list(slider.options)
            self.fragment_id = delta.fragment_id
            if slider.set_value and slider.raw_value:
                self.value = slider.raw_value[0]
            elif not self.value and slider.value:
                self.value = self.options[int(slider.value[0])]

    def _url_h_matches(self, expected: str) -> bool:
        """The page mirrors h into the URL (absent = the default): is it the value sent?"""
        values = parse_qs(self.query_string.lstrip("?")).get("h")
        try:
            shown = float(values[0]) if values else DEFAULT_H
            return math.isclose(shown, float(expected), rel_tol=1e-9)
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


async def load_test(args, port: int, sampler: RssSampler, deadline: float,
                    budget: float) -> dict:
    rng = random.Random(args.seed)
    sessions = [Session(i, port, random.Random(rng.random())) for i in range(args.sessions)]
    phases: list[PhaseStats] = []
    rss: dict[str, float] = {}
    rounds: list[tuple[int, float]] = []

    connect = PhaseStats("connect")
    connect.started = time.monotonic()
    await asyncio.gather(*(session.connect(connect) for session in sessions))
    connect.ended = time.monotonic()
    phases.append(connect)
    hashes = {s.page_hash for s in sessions if s.alive}
    print(f"connected {sum(s.alive for s in sessions)}/{len(sessions)} sessions; Explore page "
          f"hash {', '.join(sorted(hashes)) or '?'}; slider id "
          f"{next((s.slider_id for s in sessions if s.slider_id), '?')}; "
          f"{len(sessions[0].options)} stops {sessions[0].options[:1]}…{sessions[0].options[-1:]}; "
          f"fragment {'yes' if sessions[0].fragment_id else 'no'}", flush=True)

    if not any(session.alive for session in sessions):
        rss["after warm-up"] = rss["end (sessions open)"] = sampler.sample()
        return {"phases": phases, "rss": rss, "rounds": rounds, "reruns_after_warmup": 0,
                "deadline_hit": False}

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
        print(f"memory round: {after_warmup} reruns after warm-up, RSS {rounds[-1][1]:.1f} MB",
              flush=True)
    memory.ended = time.monotonic()
    if memory.latencies or memory.errors:
        phases.append(memory)

    rss["end (sessions open)"] = sampler.sample()
    for session in sessions:
        await session.close()
    return {"phases": phases, "rss": rss, "rounds": rounds, "reruns_after_warmup": after_warmup,
            "deadline_hit": time.monotonic() > deadline, "budget_stop": budget_stop}


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (20)")
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
    if args.sessions < 1 or args.moves < 0 or args.think < 0:
        parser.error("need --sessions >= 1, --moves >= 0 and --think >= 0")
    return args


def report(args, result: dict, rss_start: float, sampler: RssSampler, log_path: Path) -> int:
    phases = result["phases"]
    rss = result["rss"]
    print()
    print(f"Explore bandwidth slider over the websocket: {args.sessions} sessions, "
          f"{args.moves} moves, think {args.think:g} s (+-25 %), warm-up {args.warmup_moves} "
          "moves/session; latency = send -> script_finished")
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
    log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
    tracebacks = log_text.count("Traceback (most recent call last)")

    print()
    print("Server RSS (MB)")
    print(f"  start (idle)          {rss_start:8.1f}")
    for name, value in rss.items():
        print(f"  {name:<21} {value:8.1f}")
    print(f"  peak                  {sampler.peak():8.1f}")
    rounds = result["rounds"]
    if rounds:
        print("  by reruns after warm-up: " + ", ".join(f"{n}: {v:.1f}" for n, v in rounds))
        values = [v for _, v in rounds]
        print(f"  range over those samples: {min(values):.1f} .. {max(values):.1f}")
    growth = rss["end (sessions open)"] - rss["after warm-up"]
    cpu, wall = result.get("cpu", (float("nan"), float("nan")))
    reruns = sum(len(p.latencies) for p in phases)
    print(f"Server CPU {cpu:.0f} s over {wall:.0f} s wall ({100 * cpu / wall:.0f} % of one core); "
          f"{reruns} reruns, {1000 * cpu / max(reruns, 1):.0f} ms CPU per rerun")
    print(f"  growth over {result['reruns_after_warmup']} reruns after warm-up: {growth:+.1f} MB")

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
        (f"p95 <= 2 s (think {args.think:g} s)", percentile(think.latencies, 95) <= 2.0
         if think.latencies else None,
         f"{percentile(think.latencies, 95):.3f} s" if think.latencies else "no think phase"),
        ("RSS growth <= 25 MB", growth <= 25.0,
         f"{growth:+.1f} MB over {result['reruns_after_warmup']} reruns"),
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
    try:
        with benchmark_server(args.server_arg, hard_deadline=args.deadline + 60,
                              log_prefix="nw-load-") as (process, port, log_path):
            sampler = RssSampler(process.pid)
            time.sleep(1.0)
            rss_start = sampler.sample()
            cpu_start, wall_start = sampler.cpu_seconds(), time.monotonic()
            sampler.start()
            result = asyncio.run(asyncio.wait_for(
                load_test(args, port, sampler, deadline, started + args.budget),
                timeout=max(1.0, deadline - time.monotonic() + 45)))
            result["cpu"] = (sampler.cpu_seconds() - cpu_start, time.monotonic() - wall_start)
            time.sleep(3.0)
            result["rss"]["after close + 3 s"] = sampler.sample()
            sampler.stopped.set()
            status = report(args, result, rss_start, sampler, log_path)
        print(f"\ntotal {time.monotonic() - started:.0f} s", flush=True)
        return status
    except (RuntimeError, asyncio.TimeoutError) as error:
        print(f"load test failed: {error!r}", file=sys.stderr)
        return 2
    finally:
        if sampler is not None:
            sampler.stopped.set()


if __name__ == "__main__":
    sys.exit(main())

"""View parameters from a shareable URL: validate, clamp, and render back.

Query parameters arrive as text (a list of texts when a name is repeated: the last one counts,
as ``st.query_params[name]`` does). :func:`parse_view_params` never raises: a value it cannot use
is dropped with a notice (the app then uses its default), and a number outside its range is
clamped with a notice. Numbers must be plain ASCII decimals (``55``, ``55.0``, ``0.25``, ``1e-3``);
``inf``, ``nan``, ``0x10``, ``1_000``, non-ASCII digits, subnormals (``1e-320``) and texts longer
than :data:`MAX_TEXT` are not usable. Finite numbers out of range are clamped (``n=1e12`` → 5000),
except the seed, which has no meaningful nearest value, and the pinned query, which is beyond
every query grid: they are dropped instead.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .data import (BANDWIDTH_RANGE_FACTORS, FUNCTIONS, MAX_GENERATED_POINTS, PRESETS, X_HIGH,
                   X_LOW)
from .kernels import POOLINGS

#: Bandwidth range (the slider's range for generated data on [0, 5]: 0.01 … 50).
H_MIN, H_MAX = (factor * (X_HIGH - X_LOW) for factor in BANDWIDTH_RANGE_FACTORS)
#: Noise standard deviation of generated data.
NOISE_MIN, NOISE_MAX = 0.0, 5.0
#: Number of generated points.
N_MIN, N_MAX = 1, MAX_GENERATED_POINTS
#: Seeds of numpy's default_rng accepted by the app.
SEED_MIN, SEED_MAX = 0, 2**32 - 1
#: Number of queries for uploaded data.
NQ_MIN, NQ_MAX = 2, 500
#: Index of a pinned query (the app says so and pins nothing when it is beyond its query grid;
#: beyond any grid, the link's notice says so and nothing is pinned).
Q_MIN, Q_MAX = 0, NQ_MAX - 1
#: Longest parameter text considered at all.
MAX_TEXT = 64

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_FLAGS = {"1": True, "true": True, "0": False, "false": False}


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of texts."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Number:
    """A number in [low, high]; ``integer`` rounds; ``clamp`` False drops out-of-range values
    (the notice then ends with ``dropped``: what the app does instead)."""

    low: float
    high: float
    integer: bool = False
    clamp: bool = True
    dropped: str = "using the default"


@dataclass(frozen=True)
class Flag:
    """A yes/no switch: 1/0/true/false."""


#: Every view parameter a link may carry, and what it accepts.
VIEW_PARAMS: dict[str, Choice | Number | Flag] = {
    "preset": Choice(tuple(PRESETS)),
    "fn": Choice(tuple(FUNCTIONS)),
    "n": Number(N_MIN, N_MAX, integer=True),
    "noise": Number(NOISE_MIN, NOISE_MAX),
    "seed": Number(SEED_MIN, SEED_MAX, integer=True, clamp=False),
    "kernel": Choice(POOLINGS),
    "widths": Choice(("raw", "equal")),
    "h": Number(H_MIN, H_MAX),
    "ll": Flag(),
    "nq": Number(NQ_MIN, NQ_MAX, integer=True),
    "q": Number(Q_MIN, Q_MAX, integer=True, clamp=False, dropped="nothing is pinned"),
    "present": Flag(),
}


#: Parameters about how the view is shown rather than what it shows (presenter mode): a lesson
#: step or "Reset to the book" leaves them as they are.
DISPLAY_PARAMS = ("present",)


def parse_view_params(raw: Mapping[str, str | Sequence[str]]
                      ) -> tuple[dict[str, object], list[str]]:
    """Clean values for the known names present, and one notice per corrected or dropped value."""
    clean: dict[str, object] = {}
    notices: list[str] = []
    for name, spec in VIEW_PARAMS.items():
        if name not in raw:
            continue
        text = _last_text(raw[name])
        value, notice = _parse(name, text, spec)
        if value is not None:
            clean[name] = value
        if notice:
            notices.append(notice)
    return clean, notices


def format_view_params(values: Mapping[str, object]) -> dict[str, str]:
    """Values as compact URL texts: True → "1", 1.0 → "1", 0.25 → "0.25"."""
    return {name: _format(value) for name, value in values.items()}


def _last_text(value) -> str:
    """The last of repeated values, as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return str(value[-1]) if len(value) else ""
    return str(value)


def _parse(name: str, text: str, spec) -> tuple[object, str | None]:
    """(value or None, notice or None) for one parameter."""
    shown = _shown(text)
    stripped = text.strip()
    if not stripped:
        return None, f"{name} is empty; using the default"
    if len(stripped) > MAX_TEXT:
        return None, f"{name}={shown} is too long; using the default"
    if isinstance(spec, Choice):
        if stripped in spec.options:
            return stripped, None
        return None, f"{name}={shown} is not one of {', '.join(spec.options)}; using the default"
    if isinstance(spec, Flag):
        flag = _FLAGS.get(stripped.lower())
        if flag is None:
            return None, f"{name}={shown} is not 1, 0, true or false; using the default"
        return flag, None
    return _parse_number(name, stripped, shown, spec)


def _parse_number(name: str, text: str, shown: str, spec: Number) -> tuple[object, str | None]:
    if not _NUMBER.fullmatch(text):
        return None, f"{name}={shown} is not a number; using the default"
    number = float(text)
    if not math.isfinite(number):
        return None, f"{name}={shown} is not a finite number; using the default"
    if 0 < abs(number) < sys.float_info.min:
        return None, f"{name}={shown} is too close to 0 to use; using the default"
    notice = None
    if spec.integer and not number.is_integer():
        rounded = float(round(number))
        notice = f"{name}={shown} is not a whole number; using {_format(int(rounded))}"
        number = rounded
    if not spec.low <= number <= spec.high:
        bounds = f"{_format(spec.low)}…{_format(spec.high)}"
        if not spec.clamp:
            return None, f"{name}={shown} is outside {bounds}; {spec.dropped}"
        number = min(max(number, spec.low), spec.high)
        notice = f"{name}={shown} is outside {bounds}; using {_format(number)}"
    return (int(number) if spec.integer else number), notice


def _shown(text: str) -> str:
    """A value for a notice: at most 20 characters, non-printable characters escaped."""
    short = text if len(text) <= 20 else text[:20] + "…"
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in short)


def _format(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)

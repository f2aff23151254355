"""The bandwidths a slider offers: "nice" values on a log scale, and the one nearest a value."""

from __future__ import annotations

import math

#: Mantissas of the bandwidth slider's stops: about 20 per decade, including 1, 2 and 5 so that
#: d2l's widths 0.1, 0.2, 0.5 and 1 are exact stops.
NICE_MANTISSAS = (1, 1.1, 1.2, 1.4, 1.5, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3, 3.5, 4, 4.5, 5, 6, 7, 8,
                  9)


def bandwidth_options(low: float, high: float) -> list[float]:
    """Log-spaced "nice" bandwidths covering [low, high] (the slider's stops)."""
    if not (0 < low < high) or not math.isfinite(high):
        raise ValueError(f"need 0 < low < high for the bandwidth range; got {low}, {high}.")
    options = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in NICE_MANTISSAS:
            value = float(f"{mantissa * 10.0 ** exponent:.6g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                options.append(value)
    return options


def nearest_option(value: float, options) -> float:
    """The option closest to ``value`` on a log scale (the middle one for a value ≤ 0 or NaN)."""
    options = list(options)
    if not math.isfinite(value) or value <= 0:
        return float(options[len(options) // 2])
    return float(min(options, key=lambda option: abs(math.log(option) - math.log(value))))

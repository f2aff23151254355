"""One state initialiser for every page, so a deep link opened on a fresh server works.

Persistent values live under plain keys (``h``, ``kernel``, …); widgets use ``_w_<key>`` copies
(Streamlit drops a widget's state when a page without it runs). The view is mirrored into the URL
so that a link reproduces it; values read from a URL are validated by ``nwcore.params`` first.
"""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.params import format_view_params, parse_view_params
from ui.text import plain_markdown

#: Defaults of everything a link carries (generation defaults follow the chosen preset).
DEFAULTS = {
    "preset": "d2l_classic", "fn": "2sin_x08", "n": 50, "noise": 0.5, "seed": 0,
    "kernel": "gaussian", "h": 1.0, "widths": "raw", "ll": False, "nq": 50, "q": None,
}
#: Session values that links do not carry (the Classify, Vectors and Consistency pages' controls
#: start with ``cls_``, ``vec_`` and ``con_``).
SESSION_DEFAULTS = {
    "bw_kernel": "gaussian",
    "cls_source": "preset", "cls_preset": "two_moons", "cls_n": 200, "cls_noise": 0.2,
    "cls_seed": 0, "cls_kernel": "gaussian", "cls_h_mode": "slider", "cls_h": 0.2,
    "cls_query": None,
    "vec_mode": "plane", "vec_source": "preset", "vec_n": 30, "vec_circle_n": 12,
    "vec_seed": 0, "vec_h": 0.5, "vec_q1": 2.5, "vec_q2": 2.5, "vec_angle": 45.0,
    "vec_sat_keys": 16,
    "con_largest": 20_000, "con_repetitions": 5, "con_loo": False, "con_seed": 0,
}
GENERATION_KEYS = ("preset", "fn", "n", "noise", "seed")


@st.cache_data(max_entries=64, show_spinner=False)
def load_generated(function: str, n: int, noise: float, seed: int) -> nwcore.Dataset:
    """Generated datasets are cached by their settings."""
    return nwcore.generated_dataset(function, n, noise, seed)


def preset_defaults(preset: str) -> dict:
    """Defaults with the preset's function, n and noise."""
    spec = nwcore.PRESETS[preset]
    return {**DEFAULTS, "preset": preset, "fn": spec.function, "n": spec.n, "noise": spec.noise}


def init_state() -> None:
    """Set every key once per session, from the URL (validated) or the defaults."""
    state = st.session_state
    if state.get("_initialised"):
        return
    raw = {name: st.query_params.get_all(name) for name in st.query_params}
    clean, notices = parse_view_params(raw)
    values = {**SESSION_DEFAULTS, **preset_defaults(clean.get("preset", DEFAULTS["preset"])),
              **clean}
    for name, value in values.items():
        state[name] = value
    state.dataset = load_generated(state.fn, state.n, state.noise, state.seed)
    state.url_notices = notices
    state._initialised = True


def dataset() -> nwcore.Dataset:
    """The current dataset (generated or uploaded)."""
    return st.session_state.dataset


def set_dataset(new: nwcore.Dataset) -> None:
    """Replace the dataset; a pinned query no longer applies."""
    st.session_state.dataset = new
    st.session_state.q = None


def widget_key(name: str) -> str:
    """Seed the widget copy of a persistent value and return the widget's key."""
    st.session_state[f"_w_{name}"] = st.session_state[name]
    return f"_w_{name}"


def store(name: str) -> None:
    """on_change callback: copy a widget's value back into the persistent key."""
    st.session_state[name] = st.session_state[f"_w_{name}"]


def show_url_notices() -> None:
    """Tell the user, once, which link parameters were corrected or ignored."""
    notices = st.session_state.get("url_notices")
    if notices:
        st.warning("Some link parameters were corrected: "
                   + plain_markdown("; ".join(notices)), icon="🔗")
        st.session_state.url_notices = []


def sync_url() -> None:
    """Write the current view into the URL (only values that differ from the defaults)."""
    state = st.session_state
    defaults = {**preset_defaults(state.preset), "preset": DEFAULTS["preset"]}
    names = [name for name in DEFAULTS
             if not (name in GENERATION_KEYS and state.dataset.source != "generated")]
    changed = {name: state[name] for name in names if state[name] != defaults[name]}
    wanted = format_view_params(changed)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)

"""One state initialiser for every page, so a deep link opened on a fresh server works.

Persistent values live under plain keys (``h``, ``kernel``, …); widgets use ``_w_<key>`` copies
(Streamlit drops a widget's state when a page without it runs). The view is mirrored into the URL
so that a link reproduces it; values read from a URL are validated by ``nwcore.params`` first.
A link may also name a lesson step (``?step=<id>``): the step's settings are the starting point,
and the link's other parameters apply on top.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

import nwcore
from nwcore import book, lesson
from nwcore.params import format_view_params, parse_view_params
from ui.text import plain_markdown

#: Defaults of everything a link carries (generation defaults follow the chosen preset).
DEFAULTS = {
    "preset": "d2l_classic", "fn": "2sin_x08", "n": 50, "noise": 0.5, "seed": 0,
    "kernel": "gaussian", "h": 1.0, "widths": "raw", "ll": False, "nq": 50, "q": None,
}
#: How the view is shown (nwcore.params.DISPLAY_PARAMS): links carry it, lessons leave it alone.
DISPLAY_DEFAULTS = {"present": False}
#: Session values that links do not carry: the Bandwidth page's kernel, the training settings
#: (d2l classic's recipe), the figure views (the app's own: data units, rows = queries), whether
#: training standardises x and y (uploaded data do), the lesson step opened (None: none yet),
#: and the Classify, Vectors and Consistency pages' controls and the learned scoring functions'
#: settings (``cls_``, ``vec_``, ``con_``, ``sc_``; the last two start as the lesson's).
SESSION_DEFAULTS = {
    "bw_kernel": "gaussian", **{name: lesson.CLASSIC[name] for name in lesson.TRAINING_KEYS},
    "orientation": "queries_rows", "book_view": False, "panel_kernels": ("gaussian",),
    "panel_widths": book.WIDTH_STUDY_SIGMAS, "panel_layout": "kernels_rows",
    "standardise": False, "lesson_step": None,
    "cls_source": "preset", "cls_preset": "two_moons", "cls_n": 200, "cls_noise": 0.2,
    "cls_seed": 0, "cls_kernel": "gaussian", "cls_h_mode": "slider", "cls_h": 0.2,
    "cls_query": None,
    "vec_mode": "plane", "vec_source": "preset", "vec_n": 30, "vec_circle_n": 12,
    "vec_seed": 0, "vec_h": 0.5, "vec_q1": 2.5, "vec_q2": 2.5, "vec_angle": 45.0,
    "vec_sat_keys": 16, **lesson.CONSISTENCY_SETUP, **lesson.SCORING_SETUP,
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
    base = {**SESSION_DEFAULTS, **DEFAULTS, **DISPLAY_DEFAULTS}
    step_id = raw.get(lesson.STEP_PARAM, [None])[-1]
    if step_id is not None:
        try:
            base.update(lesson.step_by_id(step_id).state, lesson_step=step_id)
        except ValueError:
            shown = "".join(c for c in step_id[:24] if c.isprintable())
            notices.append(f"step={shown} is not a lesson step; the lesson starts at its "
                           "first step")
    preset = clean.get("preset", base["preset"])
    if preset != base["preset"]:
        base.update({name: preset_defaults(preset)[name] for name in GENERATION_KEYS[:-1]})
    for name, value in {**base, **clean}.items():
        state[name] = value
    state.dataset = load_generated(state.fn, state.n, state.noise, state.seed)
    state.url_notices = notices
    state._initialised = True


def dataset() -> nwcore.Dataset:
    """The current dataset (generated or uploaded)."""
    return st.session_state.dataset


def set_dataset(new: nwcore.Dataset) -> None:
    """Replace the dataset; a pinned query no longer applies, and training standardises x and
    y on uploaded data (d2l's recipe keeps its own numbers on generated data)."""
    st.session_state.dataset = new
    st.session_state.q = None
    st.session_state.standardise = new.source == "uploaded"


def apply_settings(settings: Mapping[str, object]) -> None:
    """Set every given setting at once (a lesson step's, or the book's); the data are
    regenerated when their generation settings differ from the current dataset's."""
    state = st.session_state
    generation = {name: settings.get(name, state[name]) for name in GENERATION_KEYS}
    wanted = load_generated(generation["fn"], int(generation["n"]), float(generation["noise"]),
                            int(generation["seed"]))
    if wanted.key != state.dataset.key:
        set_dataset(wanted)
    for name, value in settings.items():
        state[name] = value
    state.standardise = False  # the data are generated now: d2l's recipe in d2l's units
    if state.kernel != "average":
        state.bw_kernel = state.kernel


def reset_target() -> tuple[str, dict]:
    """What "Reset to the book" restores: the opened lesson step's book settings, or d2l
    classic's when no step has been opened."""
    step_id = st.session_state.get("lesson_step")
    if step_id is None:
        return "d2l classic (§10.2)", dict(lesson.CLASSIC)
    return f"the lesson step “{lesson.step_by_id(step_id).title}”", lesson.book_settings(step_id)


def reset_to_book() -> None:
    """Button callback: restore every setting of :func:`reset_target`, data included."""
    apply_settings(reset_target()[1])


def seed_widget(name: str, key: str, shown: Callable = lambda value: value) -> str:
    """Show the persistent value ``name`` in the widget ``key`` (through ``shown``); returns
    ``key``."""
    st.session_state[key] = shown(st.session_state[name])
    return key


def keep_widget(name: str, key: str, kept: Callable = lambda value: value) -> None:
    """Copy the widget ``key``'s value back into ``name`` (through ``kept``)."""
    st.session_state[name] = kept(st.session_state[key])


def bound(name: str, key: str, *, shown: Callable = lambda value: value,
          kept: Callable = lambda value: value) -> dict:
    """Widget arguments (key, on_change) that keep the persistent value ``name`` in step with
    the widget ``key``: seeded from it on every run, stored back on change."""
    return {"key": seed_widget(name, key, shown), "on_change": keep_widget,
            "args": (name, key, kept)}


def widget_key(name: str) -> str:
    """Seed the widget copy of a persistent value and return the widget's key."""
    return seed_widget(name, f"_w_{name}")


def store(name: str) -> None:
    """on_change callback: copy a widget's value back into the persistent key."""
    keep_widget(name, f"_w_{name}")


def show_url_notices() -> None:
    """Tell the user, once, which link parameters were corrected or ignored."""
    notices = st.session_state.get("url_notices")
    if notices:
        st.warning("Some link parameters were corrected: "
                   + plain_markdown("; ".join(notices)), icon="🔗")
        st.session_state.url_notices = []


def sync_url(step_id: str | None = None) -> None:
    """Write the current view into the URL: the values that differ from the defaults, or with
    ``step_id`` the step and the values that differ from the step's settings."""
    state = st.session_state
    if step_id is None:
        base, head = {**preset_defaults(state.preset), "preset": DEFAULTS["preset"]}, {}
    else:
        base, head = lesson.step_by_id(step_id).state, {lesson.STEP_PARAM: step_id}
    base = {**DISPLAY_DEFAULTS, **base}
    names = [name for name in [*DEFAULTS, *DISPLAY_DEFAULTS]
             if not (name in GENERATION_KEYS and state.dataset.source != "generated")]
    changed = {name: state[name] for name in names
               if state[name] != base[name] and state[name] is not None}
    wanted = {**head, **format_view_params(changed)}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)

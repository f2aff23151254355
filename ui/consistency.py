"""The Consistency page's experiment: bounded, cached by its controls, with a progress bar, and
cancelled by changing a control (the bar's update is where a rerun interrupts it)."""

from __future__ import annotations

import streamlit as st

import nwcore
from nwcore.consistency import MAX_LOO_SIZE, consistency_lines, log_sizes, slope_table
from nwcore.vector_charts import consistency_chart
from ui.charts import show_chart, show_table
from ui.controls import progress_bar
from ui.state import store, widget_key

LARGEST_SIZES = [2_000, 5_000, 20_000, 50_000, 100_000]


@st.cache_data(max_entries=32, show_spinner=False)
def run_experiment(dimension: int, largest: int, repetitions: int, loo_cv: bool,
                   seed: int) -> nwcore.ConsistencyResult:
    """The experiment for one dimension, with its own progress bar (emptied when done).

    A control changed meanwhile makes Streamlit stop this run at the bar's next update: the
    exception leaves the experiment, nothing is cached, and the page reruns with the new
    controls."""
    with progress_bar(f"d = {dimension}: drawing samples and fitting…",
                      lambda fraction: f"d = {dimension}: {fraction:.0%} of the fits done") \
            as report:
        result = nwcore.consistency_experiment(dimension, sizes=log_sizes(largest),
                                               repetitions=repetitions, loo_cv=loo_cv,
                                               seed=seed, progress=report)
    return result


def controls() -> tuple[int, int, bool, int]:
    """(largest n, repetitions, leave-one-out, seed), kept across pages."""
    state = st.session_state
    largest, repetitions, loo, seed = st.columns([3, 3, 3, 2])
    largest.select_slider("Largest n", LARGEST_SIZES, format_func=lambda n: f"{n:,}",
                          key=widget_key("con_largest"), on_change=store,
                          args=("con_largest",),
                          help="8 sample sizes, log-spaced from 100 to this.")
    repetitions.slider("Repetitions per n", 1, 10, key=widget_key("con_repetitions"),
                       on_change=store, args=("con_repetitions",),
                       help="Fresh samples per size; their errors are averaged.")
    loo.toggle("Leave-one-out h too", key=widget_key("con_loo"), on_change=store,
               args=("con_loo",),
               help=f"Choose h by leave-one-out CV on each sample as well (n ≤ "
                    f"{MAX_LOO_SIZE:,}; much slower).")
    seed.number_input("Seed", 0, 2**32 - 1, step=1, key=widget_key("con_seed"),
                      on_change=store, args=("con_seed",))
    return (int(state.con_largest), int(state.con_repetitions), bool(state.con_loo),
            int(state.con_seed))


def consistency_panel() -> None:
    show_experiment(*controls())


def consistency_figure() -> None:
    """The experiment for the session's settings, without the page's controls (the lesson's
    figure)."""
    state = st.session_state
    st.caption(f"Up to n = {state.con_largest:,}, {state.con_repetitions} sample(s) per n, "
               f"seed {state.con_seed}; h = c·n^(−1/(4+d)).")
    show_experiment(int(state.con_largest), int(state.con_repetitions), bool(state.con_loo),
                    int(state.con_seed))


def show_experiment(largest: int, repetitions: int, loo_cv: bool, seed: int) -> None:
    """Both dimensions' error against n, and the table of fitted and theoretical slopes."""
    results = {d: run_experiment(d, largest, repetitions, loo_cv, seed) for d in (1, 2)}
    columns = st.columns(2)
    for column, (dimension, result) in zip(columns, results.items()):
        with column:
            show_chart(consistency_chart(result.frame(), consistency_lines(result),
                                         title=f"d = {dimension}: error against n"),
                       alt_text=f"Mean squared error against n on log-log axes for "
                                f"d = {dimension}, with the fitted and theoretical slopes")
    show_table(slope_table(results.values()), number_format="%.3f", formats={"d": "%d"})

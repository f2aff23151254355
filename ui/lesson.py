"""The Lesson page's parts: the step shown, its figure (drawn in place, with a button to the page
that shows it in full), its erratum and check question, navigation and the list of steps.

Opening a step (the list, previous / next, a ``?step=`` link) sets every setting of the app to
the step's (:func:`open_step`); its figure is then drawn from those settings. A figure kind is
one :class:`Figure` in :data:`FIGURES`: how to draw it here and which page shows it in full.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

import nwcore
from nwcore import book, lesson
from nwcore.charts import (
    bandwidth_landscape_chart,
    book_fit_and_heatmap,
    book_kernel_shapes_chart,
    dataset_chart,
    fit_and_heatmap,
    kernel_shapes_chart,
    show_heatmaps,
)
from ui.bandwidth import landscape
from ui.charts import show_chart
from ui.classify import classification_figure
from ui.compare import panel_controls, panel_figure
from ui.consistency import consistency_figure
from ui.explore import cached_points, cached_view
from ui.learning import current_run, show_run
from ui.scoring import current_comparison, show_comparison
from ui.state import DEFAULTS, apply_settings, bound, dataset, reset_to_book
from ui.vectors import sphere_figure


def current_step() -> lesson.Step:
    """The opened step, or the first one before any is opened."""
    step_id = st.session_state.lesson_step
    return lesson.step_by_id(step_id) if step_id else lesson.STEPS[0]


def open_step(step_id: str) -> None:
    """Callback: show this step, with every setting of the app set to the step's."""
    st.session_state.lesson_step = step_id
    apply_settings(lesson.step_by_id(step_id).state)


def _edition() -> str:
    return "new" if st.session_state.preset == "d2l_new" else "classic"


def _book_view_toggle() -> bool:
    st.toggle("The book's view", help="Draw the figure as the book does (its axes, limits and "
                                      "line labels). Off: the app's view, in data units.",
              **bound("book_view", "lesson_book_view"))
    return st.session_state.book_view


def _cues() -> None:
    left, right = st.columns(2)
    left.graphviz_chart(book.COFFEE_CUP_DIAGRAM)
    left.caption("Nonvolitional cue (Fig. 10.1.1): the red cup stands out by itself.")
    right.graphviz_chart(book.BOOK_DIAGRAM)
    right.caption("Volitional cue (Fig. 10.1.2): wanting to read, we look at the book.")


def _qkv() -> None:
    st.graphviz_chart(book.QKV_DIAGRAM)
    st.caption("Fig. 10.1.3 / 11.1.1: the query (volitional cue) and the keys (nonvolitional "
               "cues) give the attention weights, which pool the values (sensory inputs) paired "
               "with the keys.")


def _identity() -> None:
    show_chart(show_heatmaps(book.identity_heatmap(), xlabel="Keys", ylabel="Queries",
                             panel_size=220, index_ticks=1),
               alt_text="show_heatmaps of the 10 × 10 identity matrix")
    st.code("attention_weights = torch.eye(10).reshape((1, 1, 10, 10))\n"
            "d2l.show_heatmaps(attention_weights,\n"
            "                  xlabel='Keys', ylabel='Queries')", language="python")
    matrices, titles = book.layout_example()
    st.markdown("The four axes are (rows of panels, columns of panels, queries, keys): the "
                f"array below has shape {matrices.shape}, one row of three panels.")
    show_chart(show_heatmaps(matrices, xlabel="Keys", ylabel="Queries", titles=titles,
                             panel_size=120, index_ticks=3),
               alt_text="Three heatmaps in one row: identity, uniform and random softmax")


def _random_softmax() -> None:
    over = st.radio("Softmax over", ["keys", "queries"], horizontal=True,
                    key="lesson_softmax_over",
                    format_func={"keys": "the keys: each row (the last axis, right)",
                                 "queries": "the queries: each column (dim = 0, the slip)"}.get)
    matrices = book.random_softmax_heatmap(over=over)
    show_chart(show_heatmaps(matrices, xlabel="Keys", ylabel="Queries", panel_size=220,
                             index_ticks=1),
               alt_text="show_heatmaps of a softmaxed random 10 × 10 matrix")
    st.caption(book.sums_summary(matrices) + " Standard normal logits, NumPy seed "
               f"{book.RANDOM_SOFTMAX_SEED}.")


def _dataset() -> None:
    data = dataset()
    show_chart(dataset_chart(cached_points(data.key, data), data.truth_curve(),
                             data.queries(), width=420),
               alt_text="Training points, truth and queries")
    st.caption(f"{data.label}. Drawn with NumPy's generator, so the points differ from the "
               "book's (its tabs are unseeded, or seeded in TensorFlow); the behaviour is the "
               "same.")


def _fit_and_heatmap() -> None:
    state = st.session_state
    book_view = _book_view_toggle()
    data = dataset()
    try:
        # Explore's cached view (shared with it): the book's 50 queries, no local linear.
        view = cached_view(data.key, data, state.kernel, state.h, DEFAULTS["nq"],
                           state.widths == "equal", False)
    except ValueError as error:  # nwcore's messages say what to change
        st.error(f"Cannot compute this view: {error}", icon="⚠️")
        return
    points = cached_points(data.key, data)
    title = f"{nwcore.POOLING_LABELS[state.kernel]}, h = {state.h:g}"
    transposed = state.orientation == "keys_rows"
    chart = book_fit_and_heatmap(points, view.curves, view.cells, edition=_edition(),
                                 title=title, transposed=transposed, width=380) if book_view \
        else fit_and_heatmap(points, view.curves, view.cells, title=title,
                             transposed=transposed, width=380)
    show_chart(chart, alt_text="Fit and attention heatmap")


def _kernel_shapes() -> None:
    if _book_view_toggle():
        show_chart(book_kernel_shapes_chart(book.book_kernel_shapes()),
                   alt_text="The new edition's four kernels in a row")
    else:
        show_chart(kernel_shapes_chart(equal_widths=st.session_state.widths == "equal"),
                   alt_text="Kernel shapes")


def _panels() -> None:
    panel_controls(choose_panels=False)
    panel_figure(dataset())


def _batch_matmul() -> None:
    shape, averages = book.batch_matmul_outputs()
    st.code("X = torch.ones((2, 1, 4))\nY = torch.ones((2, 4, 6))\ntorch.bmm(X, Y).shape\n"
            f"# {shape}\n\nweights = torch.ones((2, 10)) * 0.1\n"
            "values = torch.arange(20.0).reshape((2, 10))\n"
            "torch.bmm(weights.unsqueeze(1), values.unsqueeze(-1))\n"
            f"# {averages.round(12).tolist()}", language="python")


def _learned() -> None:
    book_view = _book_view_toggle()
    data = dataset()
    run = current_run(data)
    if run is not None:
        show_run(data, run, book_view=book_view, edition=_edition())


def _landscape() -> None:
    kernel = st.session_state.kernel if st.session_state.kernel != "average" else "gaussian"
    try:
        result = landscape(dataset(), kernel)
    except ValueError as error:  # nwcore's messages say what to change
        st.error(f"Cannot compute the landscape: {error}", icon="⚠️")
        return
    show_chart(bandwidth_landscape_chart(result.curves, result.markers),
               alt_text="Leave-one-out and generalised cross-validation error against h")


def _learned_scoring() -> None:
    data = dataset()
    comparison = current_comparison(data)
    if comparison is not None:
        show_comparison(data, comparison)


@dataclass(frozen=True)
class Figure:
    """How a figure kind is shown: ``draw`` draws it here, ``page`` shows it in full (None: the
    lesson is its only place); a figure that is not ``wide`` has its erratum and question
    beside it."""

    draw: Callable[[], None]
    page: str | None = None
    page_label: str = ""
    wide: bool = True


FIGURES: dict[str, Figure] = {
    "cues_diagram": Figure(_cues, "pages/6_Theory.py", "Theory"),
    "qkv_diagram": Figure(_qkv, "pages/6_Theory.py", "Theory"),
    "heatmaps_identity": Figure(_identity, wide=False),
    "heatmaps_random_softmax": Figure(_random_softmax, wide=False),
    "dataset": Figure(_dataset, "pages/1_Data.py", "Data", wide=False),
    "fit_and_heatmap": Figure(_fit_and_heatmap, "pages/2_Explore.py", "Explore", wide=False),
    "kernel_shapes": Figure(_kernel_shapes, "pages/6_Theory.py", "Theory"),
    "kernel_row": Figure(_panels, "pages/3_Compare.py", "Compare"),
    "width_study": Figure(_panels, "pages/3_Compare.py", "Compare"),
    "batch_matmul": Figure(_batch_matmul, wide=False),
    "learned": Figure(_learned, "pages/5_Learned_pooling.py", "Learned pooling"),
    "bandwidth_landscape": Figure(_landscape, "pages/4_Bandwidth.py", "Bandwidth"),
    "learned_scoring": Figure(_learned_scoring, "pages/5_Learned_pooling.py", "Learned pooling"),
    "classify": Figure(classification_figure, "pages/7_Classify.py", "Classify"),
    "vectors_sphere": Figure(sphere_figure, "pages/8_Vectors.py", "Vectors"),
    "consistency": Figure(consistency_figure, "pages/9_Consistency.py", "Consistency"),
}


def step_header(step: lesson.Step) -> None:
    """Progress, title, the book sections, the text, and whether the app's settings still are
    the step's."""
    number = lesson.step_index(step.id) + 1
    st.progress(lesson.progress(step.id),
                text=f"Step {number} of {len(lesson.STEPS)} · {step.part}")
    st.header(f"{number}. {step.title}")
    st.caption(f"d2l {step.sections}")
    st.markdown(step.text)
    state = st.session_state
    changed = lesson.differences({name: state[name] for name in step.state}, step.state)
    if dataset().source != "generated":
        changed.insert(0, "the data are an uploaded file")
    if changed:
        left, right = st.columns([4, 1])
        left.info("Your settings differ from this step's: " + "; ".join(changed[:4])
                  + (" …" if len(changed) > 4 else "") + ".", icon="ℹ️")
        right.button("Set up this step", key="lesson_setup", on_click=open_step,
                     args=(step.id,), type="primary", width="stretch")


def figure_and_notes(step: lesson.Step):
    """Where the figure and its notes go: side by side for a narrow figure, else one after
    the other."""
    if FIGURES[step.figure].wide:
        return st.container(), st.container()
    return st.columns([3, 2], gap="large")


def step_figure(step: lesson.Step) -> None:
    """The step's figure in place, then a button that opens the page showing it in full."""
    figure = FIGURES[step.figure]
    figure.draw()
    if figure.page and st.button(f"Open in {figure.page_label}", key="lesson_open_page",
                                 icon=":material/open_in_new:",
                                 help=f"Sets every setting of this step and opens the "
                                      f"{figure.page_label} page."):
        apply_settings(step.state)
        st.switch_page(figure.page)


def step_notes(step: lesson.Step) -> None:
    """The erratum the figure concerns, and a question to check understanding."""
    if step.erratum:
        erratum = step.erratum
        with st.container(border=True):
            st.markdown(f"**Erratum — {erratum.title}**  \n**The book:** {erratum.book}  \n"
                        f"**What is right:** {erratum.correct}  \n"
                        f"**Why it matters:** {erratum.why}")
    if step.check:
        check = step.check
        answer = st.radio(f"**Check:** {check.question}", check.options, index=None,
                          key=f"check_{step.id}")
        if answer is not None:
            correct = check.options.index(answer) == check.answer
            (st.success if correct else st.error)(
                ("Right. " if correct else "Not quite. ") + check.explanation)


def step_navigation(step: lesson.Step) -> None:
    """Previous, reset to the book, next; and the link to this step."""
    before, after = lesson.previous_step(step.id), lesson.next_step(step.id)
    left, middle, right = st.columns(3)
    left.button(f"◀ {before.title}" if before else "◀ Previous", key="lesson_previous",
                disabled=before is None, on_click=open_step,
                args=(before.id if before else None,), width="stretch")
    middle.button("Reset to the book", key="lesson_reset", icon=":material/restart_alt:",
                  on_click=reset_to_book, width="stretch",
                  help="Restores every setting of this step to the book's, data included.")
    right.button(f"{after.title} ▶" if after else "Next ▶", key="lesson_next",
                 disabled=after is None, on_click=open_step,
                 args=(after.id if after else None,), type="primary", width="stretch")
    base = (st.context.url or "").split("?")[0]
    st.caption(f"Link to this step: `{base}?{lesson.STEP_PARAM}={step.id}`")


#: The step list's buttons read as a left-aligned list.
_MENU_STYLE = "<style>.st-key-lesson_steps button {justify-content: flex-start; " \
              "text-align: left; min-height: 0; padding: 0.1rem 0;}</style>"


def steps_menu(current: lesson.Step) -> None:
    """Every step, by part, in the sidebar: one click opens it."""
    st.html(_MENU_STYLE)
    with st.sidebar.container(key="lesson_steps"):
        st.markdown("### Lesson steps")
        for number, step in enumerate(lesson.STEPS, 1):
            if number == 1 or step.part != lesson.STEPS[number - 2].part:
                st.caption(step.part)
            label = f"{number}. {step.title}"
            st.button(f"**{label}**" if step is current else label, key=f"goto_{step.id}",
                      type="tertiary", on_click=open_step, args=(step.id,))

"""The page menu (the built-in one is hidden by client.showSidebarNavigation = false).

:data:`PAGES` is the one list of pages: the menu, the home page's guide and the page tests read
it. Adding a page is a file in ``pages/`` plus one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.state import reset_target, reset_to_book, store, widget_key


@dataclass(frozen=True)
class Page:
    path: str       # relative to the app's root
    label: str
    icon: str
    summary: str    # what the page is for, on the home page


PAGES = (
    Page("app.py", "Home", ":material/home:", "what attention pooling is, and this guide"),
    Page("pages/0_Lesson.py", "Lesson", ":material/school:",
         "the d2l chapter step by step: every figure of both editions, the errata explained"),
    Page("pages/1_Data.py", "Data", ":material/table_chart:",
         "generate the d2l data (classic or new edition) or upload your own"),
    Page("pages/2_Explore.py", "Explore", ":material/insights:",
         "the fit and the attention heatmap, linked: hover or pin a query"),
    Page("pages/3_Compare.py", "Compare", ":material/grid_view:",
         "kernels × widths side by side, as d2l's show_heatmaps"),
    Page("pages/4_Bandwidth.py", "Bandwidth", ":material/show_chart:",
         "leave-one-out CV, GCV and the true error over h"),
    Page("pages/5_Learned_pooling.py", "Learned pooling", ":material/model_training:",
         "d2l's parametric pooling: train w = 1/h by gradient descent, and richer learned "
         "scores beside it"),
    Page("pages/6_Theory.py", "Theory", ":material/functions:",
         "attention cues, the equations, and h² as a temperature"),
    Page("pages/7_Classify.py", "Classify", ":material/category:",
         "one-hot values give class probabilities: Parzen-window classification, 1-D and 2-D"),
    Page("pages/8_Vectors.py", "Vectors", ":material/scatter_plot:",
         "keys and queries in the plane; on the unit circle Gaussian attention is dot-product "
         "attention"),
    Page("pages/9_Consistency.py", "Consistency", ":material/trending_down:",
         "how fast the error falls with n, and why 2-D learns slower than 1-D"),
)


#: Presenter mode hides the secondary text (captions) and enlarges the page's own text.
PRESENTER_CSS = """
[data-testid="stCaptionContainer"] { display: none; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.15rem; }
.vega-bindings { font-size: 1.15rem; }
"""


def sidebar_nav() -> None:
    """Links to every page and the "Reset to the book" control, in the sidebar."""
    with st.sidebar:
        st.markdown("### Attention Pooling Lab")
        for page in PAGES:
            st.page_link(page.path, label=page.label, icon=page.icon)
        target, _ = reset_target()
        st.button("Reset to the book", key="reset_to_book", icon=":material/restart_alt:",
                  on_click=reset_to_book, width="stretch",
                  help=f"Restores every setting of {target} at once, data included: the data "
                       "law, n, noise and seed, the pooling, h, the training settings and the "
                       "figure views.")
        st.toggle("Presenter mode", key=widget_key("present"), on_change=store,
                  args=("present",), help="For a projector: chart text and lines large enough "
                                          "for the back row, captions hidden. Links keep it "
                                          "(present=1).")
    if st.session_state.present:
        st.html(f"<style>{PRESENTER_CSS}</style>")

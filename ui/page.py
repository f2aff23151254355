"""What every page does first."""

import streamlit as st

from ui.nav import sidebar_nav
from ui.state import init_state, show_url_notices, sync_url
from ui.viewport import LAYOUT


#: A wide equation would otherwise be a scroll box that a keyboard cannot reach; the page starts
#: nearer the top (Streamlit leaves 6rem), so that a 1280 × 720 projector shows Explore's charts
#: whole with the controls.
PAGE_CSS = """
.katex-display { overflow: visible !important; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
"""


def setup_page(title: str, icon: str = "🔎", *, lesson: bool = False) -> None:
    """Page config, shared state, menu, any link notices, and the view mirrored in the URL
    (with the opened lesson step on the ``lesson`` page)."""
    st.set_page_config(page_title=f"{title} · Attention Pooling Lab", page_icon=icon,
                       layout=LAYOUT)
    st.html(f"<style>{PAGE_CSS}</style>")
    init_state()
    sidebar_nav()
    show_url_notices()
    sync_url(st.session_state.lesson_step if lesson else None)

"""What every page does first."""

import streamlit as st

from ui.nav import sidebar_nav
from ui.state import init_state, show_url_notices, sync_url


def setup_page(title: str, icon: str = "🔎") -> None:
    """Page config, shared state, menu, any link notices, and the view mirrored in the URL."""
    st.set_page_config(page_title=f"{title} · Attention Pooling Lab", page_icon=icon,
                       layout="wide")
    # A wide equation would otherwise be a scroll box that a keyboard cannot reach.
    st.html("<style>.katex-display { overflow: visible !important; }</style>")
    init_state()
    sidebar_nav()
    show_url_notices()
    sync_url()

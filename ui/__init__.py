"""Streamlit glue: session state, shared controls and the page menu (pages call these)."""

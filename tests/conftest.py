"""Shared test set-up: the project root on sys.path."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# AppTest reads .streamlit/config.toml: show real errors in tests and catch unpicklable state.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
os.environ.setdefault("STREAMLIT_RUNNER_ENFORCE_SERIALIZABLE_SESSION_STATE", "true")

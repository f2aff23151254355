"""Shared test set-up: the project root on sys.path."""

import sys
from pathlib import Path

from streamlit import config

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Over .streamlit/config.toml, which hides error details from visitors: tests show real errors.
# (runner.enforceSerializableSessionState cannot be used: AppTest's own upload state is not
# picklable.)
config.set_option("client.showErrorDetails", "full")

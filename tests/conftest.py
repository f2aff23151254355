"""Shared test set-up: the project root on sys.path."""

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings
from streamlit import config

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Over .streamlit/config.toml, which hides error details from visitors: tests show real errors.
# (runner.enforceSerializableSessionState cannot be used: AppTest's own upload state is not
# picklable.)
config.set_option("client.showErrorDetails", "full")

# Hypothesis profiles: "ci" (what scripts/test.sh uses) is reproducible run to run and never fails
# on timing; "dev" (the default) explores new examples each run. HYPOTHESIS_PROFILE chooses.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

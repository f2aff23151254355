"""Pure helpers of the Streamlit glue: link-free logic that needs no running app."""

import numpy as np
import pytest

from ui.controls import bandwidth_options, nearest_option
from ui.explore import pinned_index


@pytest.mark.parametrize("selection, expected", [
    ({"pin": [{"qi": 7}]}, 7), ({"pin": []}, None), ({}, None), (None, None),
    ({"pin": [{"qi": 99}]}, None), ({"pin": [{"qi": "x"}]}, None), ({"pin": [{"q": 1}]}, None),
    ({"pin": [{"qi": 3}, {"qi": 5}]}, 5),
])
def test_pinned_index_from_selection_state(selection, expected):
    assert pinned_index(selection, 50) == expected


def test_bandwidth_stops_are_log_spaced_and_include_d2l_widths():
    stops = bandwidth_options(0.01, 50)
    assert {0.01, 0.1, 0.2, 0.5, 1.0, 50.0} <= set(stops)
    ratios = np.diff(np.log(stops))
    assert np.all(ratios > 0) and ratios.max() < np.log(1.26)
    assert nearest_option(0.43, stops) == 0.45
    assert nearest_option(float("nan"), stops) in stops
    with pytest.raises(ValueError):
        bandwidth_options(1.0, 0.5)

"""One registry of kernels: every list of kernels or poolings in the app is derived from it."""

import json
import math

import numpy as np
import pytest

import nwcore
from nwcore import binning, charts, kernels, params

from .test_pages import run_page

RECORDS = list(kernels.REGISTRY.values())


def test_every_list_of_kernels_and_poolings_comes_from_the_registry():
    assert nwcore.KERNELS == tuple(kernels.REGISTRY)
    assert set(nwcore.POOLINGS) == {record.pooling for record in RECORDS}
    assert params.VIEW_PARAMS["kernel"].options == nwcore.POOLINGS
    assert binning.BINNABLE_KERNELS == tuple(r.name for r in RECORDS if r.binning)
    assert kernels.COMPACT_KERNELS == tuple(r.name for r in RECORDS if math.isfinite(r.support))
    assert nwcore.POOLING_LABELS == {r.pooling: r.label for r in RECORDS} \
        and list(nwcore.POOLING_LABELS) == list(nwcore.POOLINGS)
    for record in RECORDS:
        assert nwcore.pooling_kernel(record.pooling) == record.name
        grid = binning.grid_size(1.0, 0.1, record.name)
        assert (grid is not None) == bool(record.binning)
    shapes = json.dumps(charts.kernel_shapes_chart().to_dict())
    assert all(f'"{name}"' in shapes for name in nwcore.KERNELS)


def test_the_pages_offer_the_registry_s_choices():
    explore = run_page("pages/2_Explore.py")
    pooling = explore.selectbox(key="_w_kernel")
    assert list(pooling.options) == [nwcore.POOLING_LABELS[p] for p in nwcore.POOLINGS]
    with_width = [r.label for r in sorted(RECORDS, key=lambda r: nwcore.POOLINGS.index(r.pooling))
                  if r.name != "constant"]
    assert list(run_page("pages/4_Bandwidth.py").selectbox(key="_w_bw_kernel").options) == \
        with_width
    # Compare also offers average pooling: the new edition's "Constant" kernel.
    assert list(run_page("pages/3_Compare.py").multiselect(key="compare_kernels").options) == \
        list(pooling.options)


@pytest.mark.parametrize("record", RECORDS, ids=[r.name for r in RECORDS])
def test_each_record_states_its_kernel_s_facts(record):
    u = np.linspace(-12.0, 12.0, 480_001)
    k = nwcore.kernel_values(record.name, u)
    assert nwcore.kernel_values(record.name, 0.0) == 1.0
    assert np.all(k >= 0) and np.array_equal(k, nwcore.kernel_values(record.name, -u))
    if record.name == "constant":
        assert math.isinf(record.std) and not record.compact
        return
    # std of K as a density (trapezoid rule on a fine grid)
    std = math.sqrt(np.trapezoid(u * u * k, u) / np.trapezoid(k, u))
    assert std == pytest.approx(record.std, rel=1e-4)
    if record.compact:
        assert np.all(k[np.abs(u) > record.support + 1e-12] == 0)
        edge = nwcore.kernel_values(record.name, np.array([-record.support, record.support]))
        assert np.all(edge > 0) == record.closed and np.all(edge == 0) == (not record.closed)
        assert kernels.outside_support(record.name, np.array([record.support])) == \
            (not record.closed)
    if record.binning:
        assert nwcore.kernel_values(record.name, record.reach) < 2e-17


@pytest.mark.parametrize("record", RECORDS, ids=[r.name for r in RECORDS])
def test_each_record_s_browser_expression_is_its_kernel(record):
    """The live chart's K (a Vega expression, which these few functions read as Python reads
    them) equals the registry's function; the Gaussian's is the live chart's own stable form."""
    if record.name == "gaussian":
        assert record.browser is None
        return
    for u in (-1.5, -1.0, -0.999, -0.3, 0.0, 0.25, 0.5, 1.0, 1.001, 7.0):
        value = eval(record.browser.format(u="u"), {"__builtins__": {}, "abs": abs, "max": max},
                     {"u": u})
        assert float(value) == nwcore.kernel_values(record.name, u), u

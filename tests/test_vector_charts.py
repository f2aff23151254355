"""Chart builders for vector keys: the specs link what they should, and the images show the
numbers they were given."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

import nwcore
from nwcore import vector_charts as charts
from nwcore.classview import classification_criteria, classification_view
from nwcore.labelled import generate_labelled
from nwcore.planeview import (
    circle_keys,
    off_sphere_comparison,
    plane_keys,
    plane_view,
    softmax_saturation,
    sphere_comparison,
)


def spec(chart):
    return chart.to_dict(validate=True)


def decoded(url):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


def params(built):
    return {p["name"] for p in built.get("params", [])}


@pytest.mark.parametrize("preset", ["threshold", "blobs"])
def test_classification_chart_links_the_view_and_the_heatmap(preset):
    data = generate_labelled(preset, seed=0)
    view = classification_view(data, bandwidth=0.4)
    tables = charts.classification_tables(view, pinned=3,
                                          truth=data.truth(view.grid_x) if view.grid_x
                                          is not None else None)
    assert np.allclose(tables["keys"]["pinned"], tables["keys"]["w3"])
    assert tables["strip"]["class"].tolist() == [str(c) for c in data.classes]
    assert tables["strip"]["lo"].iloc[0] == 0
    assert tables["strip"]["hi"].iloc[-1] == view.heat.shape[1]
    built = spec(charts.classification_chart(tables, [str(c) for c in data.classes],
                                             axis_names=data.axis_names))
    assert params(built) == {"hover", "pin"}
    text = json.dumps(built, ensure_ascii=False)
    assert "p̂(class | query)" in text and "isValid(hover.qi)" in text
    assert ("Class probabilities" in text) == (data.dimension == 1)
    assert ("Decision regions" in text) == (data.dimension == 2)
    unpinned = charts.classification_tables(view)
    assert np.all(unpinned["keys"]["pinned"] == 0)
    assert unpinned["query"].empty and len(tables["query"]) == 1
    assert tables["query"]["q1"].iloc[0] == view.queries[3, 0]
    if data.dimension == 2:
        assert len(tables["cells"]) == len(view.queries)


def test_region_image_mixes_class_colours_by_probability():
    probabilities = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [np.nan, np.nan]])
    picture = decoded(charts.region_image(probabilities, 2)).reshape(4, 3).astype(float)
    blue, orange = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
                    for c in charts.CLASS_COLOURS[:2])
    light = 1 - charts.REGION_WHITE
    assert np.abs(picture[0] - (light * blue + charts.REGION_WHITE * 255)).max() <= 0.5
    assert np.abs(picture[1] - (light * orange + charts.REGION_WHITE * 255)).max() <= 0.5
    assert np.abs(picture[2] - (light * (blue + orange) / 2
                                + charts.REGION_WHITE * 255)).max() <= 0.5
    assert picture[3].tolist() == list(charts.NO_DECISION)


def test_matrix_and_value_images_put_each_cell_in_its_place():
    matrix = np.zeros((4, 5))
    matrix[1, 3] = 1.0
    picture = decoded(charts.matrix_image(matrix, 50, 40))
    assert picture.shape == (40, 50, 3)
    dark = np.argwhere(picture.sum(axis=2) < picture.sum(axis=2).max())
    assert dark[:, 0].min() == 10 and dark[:, 0].max() == 19
    assert dark[:, 1].min() == 30 and dark[:, 1].max() == 39
    values = np.array([0.0, 1.0, 2.0, 3.0])
    surface = decoded(charts.value_image(values, 2, (0.0, 3.0))).reshape(4, 3)
    assert surface[0].tolist() == [int(charts.VALUE_STOPS[0][i:i + 2], 16) for i in (1, 3, 5)]
    assert surface[3].tolist() == [int(charts.VALUE_STOPS[-1][i:i + 2], 16) for i in (1, 3, 5)]


@pytest.mark.parametrize("on_circle", [False, True])
def test_vectors_chart(on_circle):
    if on_circle:
        angles, values = circle_keys(10, 0)
        keys = nwcore.planeview.directions(angles)
    else:
        keys, values = plane_keys(20, 0)
    view = plane_view(keys, values, (1.0, 1.0), bandwidth=0.5, on_circle=on_circle)
    domain = (float(values.min()), float(values.max()))
    tables = charts.vectors_tables(view, domain)
    assert tables["query"][["o1", "o2"]].to_numpy().tolist() == [[0.0, 0.0]]
    built = spec(charts.vectors_chart(tables, values_domain=domain, title="t",
                                      on_circle=on_circle))
    assert params(built) == {"hover", "pin"}
    marks = [layer["mark"]["type"] for layer in built["layer"]]
    assert marks.count("line") == int(on_circle) and marks[0] == "image"


def test_other_builders():
    angles, _ = circle_keys(8, 0)
    comparison = sphere_comparison(angles, 1.0, bandwidth=0.5)
    assert spec(charts.circle_weights_chart(comparison, 1.0, column="α_i Gaussian", title="g"))
    keys, _ = plane_keys(10, 0)
    tables = charts.off_sphere_tables(off_sphere_comparison(keys, [1, 1], bandwidth=1.0), [1, 2])
    assert tables["query"].to_numpy().tolist() == [[0.0, 0.0, 1.0, 2.0]]
    assert len(spec(charts.off_sphere_chart(tables))["hconcat"]) == 2
    frame = softmax_saturation(draws=20, dimensions=(1, 4), lengths=(1.0, 2.0))
    assert len(spec(charts.saturation_chart(frame, n_keys=16))["hconcat"]) == 2
    criteria = classification_criteria(generate_labelled("threshold", n=40, seed=0))
    built = spec(charts.classification_criteria_chart(criteria.curves, {"current h": 0.3}))
    assert len(built["hconcat"]) == 2
    result = nwcore.consistency_experiment(2, sizes=[40, 80, 160], repetitions=2)
    from nwcore.consistency import consistency_lines

    built = spec(charts.consistency_chart(result.frame(), consistency_lines(result), title="d"))
    assert "theory" in json.dumps(built)


def test_matrix_image_saturates_above_its_top():
    matrix = np.array([[0.0, 0.5, 1.0]])
    picture = decoded(charts.matrix_image(matrix, 3, 1, top=0.5))[0]
    assert picture[1].tolist() == picture[2].tolist()  # 0.5 and 1.0: both the darkest
    assert picture[0].tolist() != picture[1].tolist()

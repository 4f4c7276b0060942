"""Port areas: point-in-polygon, Qingdao's default areas and GeoJSON loading."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouan.domain.geo import PortArea, port_area_from_geojson
from kouan.site import port_areas

AREAS = {area.code: area for area in port_areas()}
# REFERENCE.md: approximate coordinates of Qingdao's port areas, (lat, lon).
TERMINALS = {
    "DAGANG": (36.09, 120.31),
    "QIANWAN": (36.00, 120.21),
    "HUANGDAO_OIL": (36.03, 120.27),
}
DONGJIAKOU = (35.60, 119.80)
JIAOZHOU_BAY_CENTRE = (36.15, 120.25)
OPEN_YELLOW_SEA = (35.5, 121.5)
BEIJING = (39.9042, 116.4074)
# A 4 x 2 box centred on the origin, as (lon, lat).
BOX = ((-2.0, -1.0), (2.0, -1.0), (2.0, 1.0), (-2.0, 1.0))


def codes_containing(lat: float, lon: float) -> set[str]:
    return {area.code for area in port_areas() if area.contains(lat, lon)}


def test_the_whole_port_comes_first() -> None:
    assert port_areas()[0].code == "CNTAO"
    assert set(AREAS) == {"CNTAO", *TERMINALS, "DONGJIAKOU"}


def test_qianwan_terminal_is_inside_the_port_and_the_qianwan_area() -> None:
    assert codes_containing(*TERMINALS["QIANWAN"]) == {"CNTAO", "QIANWAN"}


@pytest.mark.parametrize("code", sorted(TERMINALS))
def test_each_terminal_lies_in_the_port_and_only_its_own_area(code: str) -> None:
    assert codes_containing(*TERMINALS[code]) == {"CNTAO", code}


@pytest.mark.parametrize("code", sorted(TERMINALS))
def test_terminal_areas_lie_within_the_whole_port(code: str) -> None:
    assert all(AREAS["CNTAO"].contains(lat, lon) for lon, lat in AREAS[code].polygon)


def test_jiaozhou_bay_is_in_the_port() -> None:
    assert codes_containing(*JIAOZHOU_BAY_CENTRE) == {"CNTAO"}


def test_dongjiakou_is_its_own_area_outside_the_bay() -> None:
    assert codes_containing(*DONGJIAKOU) == {"DONGJIAKOU"}


@pytest.mark.parametrize("point", [OPEN_YELLOW_SEA, BEIJING], ids=["yellow sea", "beijing"])
def test_points_far_from_qingdao_are_in_no_area(point: tuple[float, float]) -> None:
    assert codes_containing(*point) == set()


@given(st.integers(-3, 3), st.integers(-2, 2), st.booleans())
def test_box_contains_exactly_its_inside_and_boundary(x: int, y: int, closed: bool) -> None:
    polygon = (*BOX, BOX[0]) if closed else BOX
    area = PortArea("BOX", "box", "", polygon)
    assert area.contains(lat=y, lon=x) == (abs(x) <= 2 and abs(y) <= 1)


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [(-0.5, 0.0, True), (0.5, 0.0, True), (1.5, 0.0, False), (-1.5, 0.0, False), (1.0, 0.0, True)],
)
def test_a_ray_through_a_vertex_is_counted_once(lon: float, lat: float, inside: bool) -> None:
    diamond = PortArea("D", "diamond", "", ((0, -1), (1, 0), (0, 1), (-1, 0)))
    assert diamond.contains(lat, lon) is inside


def test_the_notch_of_a_concave_area_is_outside() -> None:
    l_shape = PortArea("L", "L", "", ((0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)))
    assert l_shape.contains(lat=0.5, lon=1.5)
    assert l_shape.contains(lat=1.5, lon=0.5)
    assert not l_shape.contains(lat=1.5, lon=1.5)


@pytest.mark.parametrize(
    ("polygon", "expected"),
    [
        (((0, 0), (1, 1), (0, 0)), "at least 3"),
        (((0, 0), (1, 0), (1, 95)), "latitude in"),
        (((0, 0), (190, 0), (1, 1)), "longitude in"),
    ],
)
def test_a_port_area_needs_a_real_polygon(
    polygon: tuple[tuple[float, float], ...], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        PortArea("BAD", "bad", "", polygon)


def feature(coordinates: object, **properties: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }


def test_a_geojson_feature_becomes_a_port_area() -> None:
    ring = [[lon, lat] for lon, lat in (*BOX, BOX[0])]
    area = port_area_from_geojson(feature([ring], code="BOX", name="Box", name_zh="方框"))
    assert (area.code, area.name, area.name_zh) == ("BOX", "Box", "方框")
    assert area.contains(lat=0.5, lon=1.5)
    assert not area.contains(lat=1.5, lon=0.5)


def test_a_bare_polygon_takes_its_code_from_the_caller_and_ignores_altitude() -> None:
    ring = [[lon, lat, 12.5] for lon, lat in BOX]
    area = port_area_from_geojson({"type": "Polygon", "coordinates": [ring]}, code="BOX")
    assert (area.code, area.name, area.polygon) == ("BOX", "BOX", BOX)


@pytest.mark.parametrize("area", port_areas(), ids=lambda area: area.code)
def test_default_areas_survive_a_trip_through_geojson(area: PortArea) -> None:
    ring = [[lon, lat] for lon, lat in area.polygon]
    data = feature([ring], code=area.code, name=area.name, name_zh=area.name_zh)
    assert port_area_from_geojson(data) == area


RING = [[0, 0], [1, 0], [1, 1], [0, 0]]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([RING], id="not an object"),
        pytest.param({"type": "MultiPolygon", "coordinates": [[RING]]}, id="multipolygon"),
        pytest.param(
            {"type": "Feature", "properties": {"code": "X"}, "geometry": None}, id="no geometry"
        ),
        pytest.param(feature([RING, RING], code="X"), id="with a hole"),
        pytest.param(feature([], code="X"), id="no ring"),
        pytest.param(feature("0,0 1,0 1,1", code="X"), id="coordinates as text"),
        pytest.param(feature([[[0, 0], ["1", 0], [1, 1]]], code="X"), id="text number"),
        pytest.param(feature([[[0, 0], [True, 0], [1, 1]]], code="X"), id="boolean number"),
        pytest.param(feature([[[0, 0], [1], [1, 1]]], code="X"), id="short position"),
        pytest.param(feature([[[0, 0], [1, 0], [0, 0]]], code="X"), id="two vertices"),
        pytest.param(feature([[[0, 0], [1, 0], [1, 91]]], code="X"), id="latitude 91"),
        pytest.param(feature([RING]), id="no code"),
        pytest.param(feature([RING], code=7), id="numeric code"),
        pytest.param({**feature([RING]), "properties": ["X"]}, id="properties not an object"),
    ],
)
def test_bad_geojson_is_refused_with_a_reason(data: object) -> None:
    with pytest.raises(ValueError, match="a GeoJSON Polygon"):
        port_area_from_geojson(data)  # type: ignore[arg-type]

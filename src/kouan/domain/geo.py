"""Port areas as polygons: is a ship's reported position inside the port (or one of its areas)?

Coordinates are WGS 84 degrees; polygons are given as (longitude, latitude) pairs, as in GeoJSON.
The site's areas come from its reference data (kouan.site); load others from GeoJSON with
port_area_from_geojson.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

# Degrees; far below AIS resolution (1/10000 minute), only absorbs floating-point noise.
_EDGE_TOLERANCE = 1e-12

Point = tuple[float, float]


@dataclass(frozen=True)
class PortArea:
    """A named area of the port: a simple polygon of (lon, lat) vertices, closed or not."""

    code: str
    name: str
    name_zh: str
    polygon: tuple[Point, ...]

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a port area needs a code, got ''")
        for index, (lon, lat) in enumerate(self.polygon):
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                raise ValueError(
                    f"port area {self.code}: vertex {index} (lon {lon}, lat {lat}) is not "
                    "a longitude in [-180, 180] and a latitude in [-90, 90]"
                )
        if len(set(self.polygon)) < 3:
            raise ValueError(
                f"port area {self.code}: polygon has {len(set(self.polygon))} distinct "
                "vertices, expected at least 3"
            )

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point is inside the area; a point on the boundary counts as inside."""
        edges = self._edges()
        if any(_on_segment(lon, lat, a, b) for a, b in edges):
            return True
        return _crossings(lon, lat, edges) % 2 == 1

    def _edges(self) -> list[tuple[Point, Point]]:
        # Closing the ring again when it is already closed only adds a zero-length edge,
        # which neither test below counts.
        return list(pairwise((*self.polygon, self.polygon[0])))


def _on_segment(x: float, y: float, a: Point, b: Point) -> bool:
    """Whether (x, y) lies on the segment from a to b."""
    (ax, ay), (bx, by) = a, b
    cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax)
    if abs(cross) > _EDGE_TOLERANCE:
        return False
    return min(ax, bx) <= x <= max(ax, bx) and min(ay, by) <= y <= max(ay, by)


def _crossings(x: float, y: float, edges: Sequence[tuple[Point, Point]]) -> int:
    """How many edges a ray from (x, y) towards east crosses (half-open rule at vertices)."""
    count = 0
    for (ax, ay), (bx, by) in edges:
        if (ay > y) != (by > y):
            x_at_y = ax + (y - ay) * (bx - ax) / (by - ay)
            if x < x_at_y:
                count += 1
    return count


def port_area_from_geojson(
    data: Mapping[str, Any], *, code: str = "", name: str = "", name_zh: str = ""
) -> PortArea:
    """A port area from a GeoJSON Polygon, or a Feature holding one.

    The Feature's properties code, name and name_zh are used where the arguments leave them
    empty. Holes are not supported. Raises ValueError naming what is wrong.
    """
    geometry, properties = _polygon_geometry(data)
    code = code or _text_property(properties, "code")
    if not code:
        raise ValueError(
            "a GeoJSON Polygon needs a port area code: set properties.code in the Feature "
            "or pass code=..."
        )
    name = name or _text_property(properties, "name") or code
    name_zh = name_zh or _text_property(properties, "name_zh")
    polygon = _outer_ring(geometry.get("coordinates"))
    try:
        return PortArea(code=code, name=name, name_zh=name_zh, polygon=polygon)
    except ValueError as error:
        raise ValueError(f"a GeoJSON Polygon describing a valid port area: {error}") from None


def _polygon_geometry(data: object) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The Polygon geometry and the properties (empty for a bare geometry)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"a GeoJSON Polygon object was expected, got {type(data).__name__}")
    properties: object = {}
    geometry: object = data
    if data.get("type") == "Feature":
        properties = data.get("properties") or {}
        geometry = data.get("geometry")
    if not isinstance(geometry, Mapping) or geometry.get("type") != "Polygon":
        found = geometry.get("type") if isinstance(geometry, Mapping) else geometry
        raise ValueError(
            f"a GeoJSON Polygon (or a Feature whose geometry is one) was expected, got type "
            f"{found!r}"
        )
    if not isinstance(properties, Mapping):
        raise ValueError(
            f"a GeoJSON Polygon Feature's properties must be an object, got {properties!r}"
        )
    return geometry, properties


def _text_property(properties: Mapping[str, Any], key: str) -> str:
    value = properties.get(key, "")
    if not isinstance(value, str):
        raise ValueError(
            f"a GeoJSON Polygon Feature's properties.{key} must be text, got {value!r}"
        )
    return value


def _outer_ring(coordinates: object) -> tuple[Point, ...]:
    """The single linear ring of a Polygon's coordinates, as (lon, lat) pairs."""
    if not isinstance(coordinates, list) or not coordinates:
        raise ValueError(
            f"a GeoJSON Polygon's coordinates must be a list of linear rings, got {coordinates!r}"
        )
    if len(coordinates) > 1:
        raise ValueError(
            f"a GeoJSON Polygon without holes: got {len(coordinates)} rings, expected 1"
        )
    ring = coordinates[0]
    if not isinstance(ring, list):
        raise ValueError(f"a GeoJSON Polygon's ring must be a list of positions, got {ring!r}")
    return tuple(_position(index, position) for index, position in enumerate(ring))


def _position(index: int, position: object) -> Point:
    """One [longitude, latitude] (an altitude, if any, is ignored)."""
    if (
        isinstance(position, list)
        and len(position) in (2, 3)
        and all(_is_number(value) for value in position)
    ):
        return float(position[0]), float(position[1])
    raise ValueError(
        f"a GeoJSON Polygon's coordinates[0][{index}] must be [longitude, latitude] numbers, "
        f"got {position!r}"
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

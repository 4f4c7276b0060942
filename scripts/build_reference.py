"""Build Kouan's UN/LOCODE reference file (src/kouan/reference/locodes.csv) from public data.

Reads ../shared/data (see its SOURCES.md); run from anywhere: `python scripts/build_reference.py`.
The merge rules are written down in src/kouan/reference/SOURCES.md.
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "kouan" / "reference" / "locodes.csv"
UNLOCODE_CSV = Path("unlocode") / "geoapify_CN.csv"
SEA_PORTS_JSON = Path("ports") / "sea-ports_ports.json"
COLUMNS = ("locode", "name", "country", "function", "lat", "lon")
NO_FUNCTION = "--------"
HS_CSV = Path("hs") / "harmonized-system.csv"
HS_OUT = ROOT / "src" / "kouan" / "reference" / "hs2022.csv"
HS_COLUMNS = ("hscode", "description", "level")
# Headings name what a subheading belongs to; chapters and sections are left out to stay compact.
HS_LEVELS = frozenset({"4", "6"})
# Chapter 99 in the source is a statistical catch-all ("commodities not specified according to
# kind"), not part of the HS 2022 nomenclature: a declaration must name what its goods are.
HS_NOT_GOODS = "99"


@dataclass(frozen=True)
class Place:
    """One row of the reference file."""

    locode: str
    name: str
    function: str
    lat: float | None
    lon: float | None

    def row(self) -> tuple[str, ...]:
        return (
            self.locode,
            self.name,
            self.locode[:2],
            self.function,
            _coord(self.lat),
            _coord(self.lon),
        )


def _coord(value: float | None) -> str:
    # Four decimals is about 10 m: more than either source is good for.
    return "" if value is None else f"{value:.4f}"


def _repair(fields: list[str]) -> list[str]:
    """Put back the 13 geoapify rows whose name ("Anxi, Quanzhou") was split at its comma.

    Those rows read: country, location, name in two halves, the name again in two halves,
    subdivision, function, lat, lon, geocoded (no status, no IATA code).
    """
    if not fields[2].startswith('"'):
        return fields
    name = ", ".join(part.strip(' "') for part in fields[2:4])
    country, location, _, _, _, _, subdivision, function, lat, lon, geocoded = fields
    return [country, location, name, name, subdivision, "", function, "", lat, lon, geocoded]


def read_unlocode(path: Path) -> dict[str, Place]:
    """UN/LOCODE entries; coordinates only where UNECE published them (not geocoder guesses)."""
    places = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        for fields in rows:
            row = dict(zip(header, _repair(fields), strict=True))
            published = row["geocoded"] != "true" and row["lat"] != ""
            code = row["country"] + row["location"]
            places[code] = Place(
                locode=code,
                name=row["name"],
                function=row["function"],
                lat=float(row["lat"]) if published else None,
                lon=float(row["lon"]) if published else None,
            )
    return places


def read_sea_ports(path: Path) -> dict[str, Place]:
    """Sea ports keyed by UN/LOCODE, each alias (CNQIN for CNTAO) as a row of its own."""
    ports = json.loads(path.read_text(encoding="utf-8"))
    places: dict[str, Place] = {}
    # Keys first, so an entry under its own key wins over the same code listed as an alias.
    for key, port in ports.items():
        for code in [key, *port["unlocs"]]:
            lon, lat = port.get("coordinates") or (None, None)
            places.setdefault(code, Place(code, port["name"], "1" + NO_FUNCTION[1:], lat, lon))
    return places


def merge(unlocode: dict[str, Place], ports: dict[str, Place]) -> list[Place]:
    """One place per code, sorted; a code in both sources is combined."""
    merged = []
    for code in sorted(unlocode.keys() | ports.keys()):
        if code not in ports:
            merged.append(unlocode[code])
        elif code not in unlocode:
            merged.append(ports[code])
        else:
            merged.append(_combine(unlocode[code], ports[code]))
    return merged


def _combine(official: Place, port: Place) -> Place:
    """The sea-ports name and position, the UN/LOCODE function string with the port flag set.

    The sea-ports list is what shipping uses: its CNTAO is Qingdao's seaport, where the
    UN/LOCODE entry names the airport (and geocodes it to Sichuan).
    """
    has_position = port.lat is not None
    return Place(
        locode=official.locode,
        name=port.name,
        function="1" + official.function[1:],
        lat=port.lat if has_position else official.lat,
        lon=port.lon if has_position else official.lon,
    )


def write(places: list[Place], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        out.writerows(place.row() for place in places)


def read_hs(path: Path) -> list[tuple[str, str, str]]:
    """The HS 2022 headings (4 digits) and subheadings (6 digits), sorted by code."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            (row["hscode"], row["description"], row["level"])
            for row in csv.DictReader(f)
            if row["level"] in HS_LEVELS and not row["hscode"].startswith(HS_NOT_GOODS)
        ]
    return sorted(rows)


def write_hs(rows: list[tuple[str, str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HS_COLUMNS)
        out.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="the CSV file to write")
    parser.add_argument("--hs-out", type=Path, default=HS_OUT, help="the HS 2022 file to write")
    args = parser.parse_args()
    places = merge(
        read_unlocode(args.shared / UNLOCODE_CSV), read_sea_ports(args.shared / SEA_PORTS_JSON)
    )
    write(places, args.out)
    print(f"wrote {len(places)} places to {args.out}")
    codes = read_hs(args.shared / HS_CSV)
    write_hs(codes, args.hs_out)
    print(f"wrote {len(codes)} HS codes to {args.hs_out}")


if __name__ == "__main__":
    main()

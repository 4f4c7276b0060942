"""The site a fresh install serves comes from reference data, not from code: Qingdao's seaport
and airport by default, another site from the file KOUAN_SITE_FILE names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kouan import site


@pytest.fixture
def fresh_site() -> Iterator[None]:
    site.site_data.cache_clear()
    yield
    site.site_data.cache_clear()


def test_the_shipped_site_is_qingdao_with_its_airport_outside_the_port_area(
    fresh_site: None,
) -> None:
    airport = site.airport()
    assert (site.PORT, site.PORT_TIME_ZONE) == ("CNTAO", "Asia/Shanghai")
    assert (airport.icao, airport.iata) == ("ZSQD", "TAO")
    port, *terminals = site.port_areas()
    assert port.code == "CNTAO" and {a.code for a in terminals} >= {"QIANWAN", "DAGANG"}
    assert port.contains(36.00, 120.20)  # Qianwan
    assert not port.contains(36.27, 120.37)  # the airport
    berths = [b[0] for t in site.site_data()["terminals"] for b in t["berths"]]
    assert "QQCT-01" in berths


def test_another_site_is_read_from_the_configured_file(
    fresh_site: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = {
        "port": "CNRZH",
        "time_zone": "Asia/Shanghai",
        "airport": {"icao": "ZSRZ", "iata": "RIZ", "name": "Rizhao", "name_zh": "日照"},
        "areas": [
            {
                "code": "CNRZH",
                "name": "Port of Rizhao",
                "name_zh": "日照港",
                "polygon": [[119.5, 35.3], [119.7, 35.3], [119.7, 35.5], [119.5, 35.5]],
            }
        ],
        "terminals": [],
    }
    path = tmp_path / "site.json"
    path.write_text(json.dumps(other), "utf-8")
    monkeypatch.setenv("KOUAN_SITE_FILE", str(path))
    assert site.airport().icao == "ZSRZ"
    [area] = site.port_areas()
    assert area.contains(35.4, 119.6) and not area.contains(36.0, 120.2)

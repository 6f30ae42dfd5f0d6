"""Derive the map layers shipped in data/reference from Natural Earth (public domain): run once by hand,
never at build time (the book builds offline from the files this writes).

    python data/reference/derive_map_layers.py NE_COUNTRIES.json NE_POPULATED_PLACES.json

NE_COUNTRIES.json is ``ne_50m_admin_0_countries`` and NE_POPULATED_PLACES.json ``ne_10m_populated_places``,
as GeoJSON (github.com/martynafford/natural-earth-geojson, commit 0b9a6ce, converted by ogr2ogr from
Natural Earth's shapefiles). It writes

- ``boundaries.geojson``: the countries that reach into the map's frame (south-eastern Europe), with
  only their ADM0_A3 code and name, coordinates rounded to 0.001° (about 100 m, far below what 1:50m
  draws);
- ``places.csv``: the populated places of PLACES, with Natural Earth's coordinates and the source.

Boundaries are Natural Earth's de facto ones; the figure's caption carries the disclaimer that they
imply no position on status. A ministry that must draw others replaces boundaries.geojson in its data
folder's reference/ (same two properties).
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
FRAME = (12.5, 38.5, 26.5, 47.5)   # west, south, east, north: the region with its neighbours
SOURCE = "Natural Earth 1:10m populated places (public domain), via github.com/martynafford/natural-earth-geojson"
# place id: (ADM0_A3, Natural Earth NAME)
PLACES = {
    "belgrade": ("SRB", "Belgrade"), "novi_sad": ("SRB", "Novi Sad"), "nis": ("SRB", "Niš"),
    "subotica": ("SRB", "Subotica"), "kragujevac": ("SRB", "Kragujevac"), "cacak": ("SRB", "Čačak"),
    "zrenjanin": ("SRB", "Zrenjanin"), "podgorica": ("MNE", "Podgorica"), "skopje": ("MKD", "Skopje"),
    "tetovo": ("MKD", "Tetovo"), "bitola": ("MKD", "Bitola"), "tirana": ("ALB", "Tirana"),
    "durres": ("ALB", "Durrës"), "shkoder": ("ALB", "Shkodër"), "sarajevo": ("BIH", "Sarajevo"),
    "tuzla": ("BIH", "Tuzla"), "zagreb": ("HRV", "Zagreb"), "sofia": ("BGR", "Sofia"),
    "thessaloniki": ("GRC", "Thessaloniki"), "timisoara": ("ROU", "Timișoara"), "szeged": ("HUN", "Szeged"),
}


def _rounded(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 3), round(coords[1], 3)]
    return [_rounded(c) for c in coords]


def _points(coords):
    if isinstance(coords[0], (int, float)):
        yield coords
    else:
        for c in coords:
            yield from _points(c)


def _in_frame(geometry) -> bool:
    west, south, east, north = FRAME
    return any(west <= x <= east and south <= y <= north for x, y in _points(geometry["coordinates"]))


def main(countries: str, places: str) -> None:
    features = [{"type": "Feature", "properties": {"ADM0_A3": f["properties"]["ADM0_A3"], "NAME": f["properties"]["NAME"]},
                 "geometry": {"type": f["geometry"]["type"], "coordinates": _rounded(f["geometry"]["coordinates"])}}
                for f in json.loads(Path(countries).read_text())["features"] if _in_frame(f["geometry"])]
    features.sort(key=lambda f: f["properties"]["ADM0_A3"])
    (HERE / "boundaries.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                        separators=(",", ":")) + "\n")
    found = {(f["properties"]["ADM0_A3"], f["properties"]["NAME"]): f["properties"]
             for f in json.loads(Path(places).read_text())["features"]}
    with open(HERE / "places.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["place_id", "country", "name_en", "latitude", "longitude", "source"])
        for place_id, key in PLACES.items():
            p = found[key]
            writer.writerow([place_id, key[0], p["NAME"], round(p["LATITUDE"], 3), round(p["LONGITUDE"], 3), SOURCE])


if __name__ == "__main__":
    main(*sys.argv[1:3])

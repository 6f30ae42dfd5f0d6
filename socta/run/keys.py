"""Cache keys: a page is re-executed only when something it reads changed (its template, parameters,
the processed tables it reads, the reference, the catalogue of its language or the code). The key is
a JSON of per-input digests, so a stale page can say what changed."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from socta.core.config import OPEN_SOURCES_DIR, REGION, Project
from socta.core.text import listed
from socta.i18n import translate as i18n
from socta.ingest.reference import BOUNDARIES, REFERENCE_FILES
from socta.process.fingerprints import _file_digest, _sha, code_digests
from socta.run.jobs import (
    READ_WHOLE,
    READS_DATA,
    READS_MANIFEST,
    READS_OPEN_SOURCES,
    SCOPE_COLUMNS,
    Job,
    output_path,
)

KEY_FORMAT = 2            # keys before it were one opaque hash: such a page is stale, and says so

OLD_KEY_REASON = "recorded before per-input keys"

CATALOGUE_SUFFIXES = (".po", ".pot", ".mo")


# header lines that `make messages` and translation editors rewrite without changing any message
_VOLATILE_CATALOGUE_LINE = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date):[^\n]*\n', re.MULTILINE)


def _reference_names() -> list[str]:
    # the map's boundaries and the method profile's description are read by pages too
    return [*REFERENCE_FILES, "settings.yaml", "gitoc_components.csv", BOUNDARIES, "method.yaml"]


def reference_digests(project: Project) -> dict[str, str]:
    """Each reference file in force (the data folder's copy, else the repository's), by name."""
    return {name: _file_digest(project.reference_path(name)) for name in _reference_names()}


def _base_language(name: str) -> str:
    return re.split(r"[_.@-]", name, maxsplit=1)[0].lower()


def catalogue_digests(lang: str) -> dict[str, str]:
    """The translation catalogues an edition in ``lang`` depends on, by path under ``socta/locale``:
    the template (``socta.pot``) and the language's own ``.po``/``.mo`` files (``<lang>[_XX]/LC_MESSAGES``).
    Another language's catalogue is not in the key."""

    root = Path(i18n.LOCALE_DIR)
    found: dict[str, str] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in CATALOGUE_SUFFIXES:
            continue
        rel = path.relative_to(root)
        if len(rel.parts) > 1 and _base_language(rel.parts[0]) != _base_language(lang):
            continue
        data = path.read_bytes()
        if path.suffix != ".mo":
            data = _VOLATILE_CATALOGUE_LINE.sub(b"", data)
        found[rel.as_posix()] = hashlib.sha256(data).hexdigest()
    if (root / "languages.yaml").is_file() and lang in i18n.languages():
        # the language's entry (its Babel locale formats the numbers); not its review state, which only
        # the book's banner shows
        entry = {k: v for k, v in i18n.spec(lang).items() if k != "reviewed"}
        found[f"languages.yaml#{lang}"] = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
    return found


def open_source_files(job: Job) -> tuple[str, ...]:
    """The files of ``data/open_sources/`` a page reads: those it declares; a page that reads open
    sources without declaring which depends on every file there."""
    if job.open_sources:
        return tuple(job.open_sources)
    if job.reads == READS_OPEN_SOURCES:
        return tuple(sorted(p.name for p in OPEN_SOURCES_DIR.glob("*.csv")))
    return ()


def open_source_digests(names) -> dict[str, str]:
    return {name: _file_digest(OPEN_SOURCES_DIR / name) for name in names}


def _mask(frame: pd.DataFrame, scope: str, area: str | None):
    """The rows a page for ``scope`` (and ``area``) can see: its country's and its area's."""
    import numpy as np

    mask = np.ones(len(frame), dtype=bool)
    if scope != REGION:
        columns = [c for c in SCOPE_COLUMNS if c in frame.columns]
        if columns:
            mask &= frame[columns[0]].eq(scope).to_numpy()
        elif {"a", "b"} <= set(frame.columns):
            mask &= (frame["a"].eq(scope) | frame["b"].eq(scope)).to_numpy()
    if area is not None and "area" in frame.columns:
        mask &= frame["area"].eq(area).to_numpy()
    return mask


class DataDigests:
    """Digests of the processed tables, sliced per page: each row is hashed once, a slice sums its rows."""

    def __init__(self, processed_dir: Path):
        self.dir = Path(processed_dir)
        self.tables = {p.stem: pd.read_parquet(p) for p in sorted(self.dir.glob("*.parquet"))}
        self.row_hashes = {name: pd.util.hash_pandas_object(frame, index=False).to_numpy()
                           for name, frame in self.tables.items()}
        meta = json.loads((self.dir / "dataset.json").read_text(encoding="utf-8"))
        self.dataset = json.dumps(meta.get("dataset", {}), sort_keys=True, default=str)
        self.manifest = json.dumps(meta, sort_keys=True, default=str)
        inputs = meta.get("inputs", [])
        # what every page may ask (Page.has_input), and what the provenance annex shows in full
        self.inputs_present = json.dumps(sorted((f["file"], not f.get("absent")) for f in inputs))
        self.inputs = json.dumps(inputs, sort_keys=True, default=str)
        self._cache: dict = {}

    def _digest(self, name: str, mask) -> str:
        # wrapping uint64 sum: order-free, and any changed row changes it
        total = int(self.row_hashes[name][mask].sum(dtype="uint64"))
        return f"{name}:{int(mask.sum())}:{total}"

    def of(self, scope: str, area: str | None) -> str:
        """The slice of every processed table a page for ``scope`` and ``area`` reads."""
        key = (scope, area)
        if key not in self._cache:
            self._cache[key] = _sha(*(self._digest(name, _mask(frame, scope, area))
                                      for name, frame in self.tables.items() if name not in READ_WHOLE))
        return self._cache[key]

    def whole(self, name: str) -> str:
        """One processed table, every row."""
        if name not in self.tables:
            return "missing"
        import numpy as np

        return _sha(self._digest(name, np.ones(len(self.tables[name]), dtype=bool)))


# The figures a page draws: a PNG for the HTML (and the notebooks published with it) and a vector PDF for
# the PDF book. An HTML-only run draws the PNG alone (drawing is most of a page's time); a page drawn so
# is out of date for a PDF build, and runs again when one is asked for.
FIGURE_FORMATS = ("png", "pdf")
FIGURES_ENV = "SOCTA_FIGURE_FORMATS"  # read by socta.pages.figures.apply_style in the kernel


def figures_for(formats) -> tuple[str, ...]:
    """The figure formats pages must draw for the book ``formats`` to be built (``None``: every one)."""
    return FIGURE_FORMATS if formats is None or "pdf" in formats else ("png",)


# the training lessons whose code runs the narrative layer (socta.narrative): their keys include its code
NARRATIVE_LESSONS = ("lesson-7-key-judgement.md",)


class KeyContext:
    """What the keys of one grid share, computed once: code, reference files, catalogues, data digests,
    and the figure formats the run draws."""

    def __init__(self, project: Project, processed_dir: Path, figures: tuple[str, ...] = FIGURE_FORMATS):
        self.figures = figures
        self.digests = DataDigests(processed_dir)
        self.code = code_digests()
        self.code_with_narrative = code_digests(("narrative",))  # for the lesson that runs it
        self.reference = reference_digests(project)
        self._catalogues: dict[str, dict[str, str]] = {}

    def catalogue(self, lang: str) -> dict[str, str]:
        if lang not in self._catalogues:
            self._catalogues[lang] = catalogue_digests(lang)
        return self._catalogues[lang]


def key_components(job: Job, context: KeyContext) -> dict:
    """Everything a page reads, as named digests: the key that decides whether it must run again."""
    digests = context.digests
    # absolute paths say where, not what: they stay out of the key
    params = {k: v for k, v in job.parameters.items() if k not in ("processed_dir", "data_dir")}
    components = {
        "format": KEY_FORMAT,
        "template": _file_digest(job.template_path),
        "parameters": _sha(json.dumps(params, sort_keys=True, default=str), job.title, job.reads),
        "code": context.code_with_narrative if Path(job.template).name in NARRATIVE_LESSONS else context.code,
        "reference": context.reference,
        "catalogue": context.catalogue(str(job.parameters.get("lang", "en"))),
        "dataset": _sha(digests.dataset),
        "inputs": _sha(digests.inputs if job.manifest else digests.inputs_present),
        "figures": "+".join(context.figures),
    }
    if job.reads == READS_DATA:
        components["data"] = digests.of(job.scope, job.area)
    elif job.reads == READS_MANIFEST:
        components["data"] = _sha(digests.manifest)
    if job.tables:
        components["tables"] = {name: digests.whole(name) for name in job.tables}
    names = open_source_files(job)
    if names:
        components["open_sources"] = open_source_digests(names)
    return components


def encode_key(components: dict) -> str:
    """A key as recorded in ``.<page>.key``: one line of canonical JSON (equal keys, equal text)."""
    return json.dumps(components, sort_keys=True, separators=(",", ":"))


def job_key(job: Job, context: KeyContext) -> str:
    """The key that decides whether a page must be executed again."""
    return encode_key(key_components(job, context))


def key_path(source_dir: Path, job: Job) -> Path:
    target = output_path(source_dir, job)
    return target.with_name(f".{target.stem}.key")


def recorded_key(source_dir: Path, job: Job) -> str | None:
    path = key_path(source_dir, job)
    target = output_path(source_dir, job)
    return path.read_text(encoding="utf-8").strip() if path.is_file() and target.is_file() else None


def keys_for(project: Project, jobs: list[Job], processed_dir: Path,
             figures: tuple[str, ...] = FIGURE_FORMATS) -> dict[str, str]:
    context = KeyContext(project, processed_dir, figures)
    return {job.output: job_key(job, context) for job in jobs}


def _drawn(key: dict) -> set[str]:
    return set(str(key.get("figures", "")).split("+")) - {""}


def up_to_date(recorded: str | None, current: str) -> bool:
    """Whether a page executed with key ``recorded`` serves today's key: every component equal, and the
    figures it drew include those needed now (a page drawn for HTML and PDF serves an HTML build)."""
    if recorded == current:
        return True
    try:
        old, new = json.loads(recorded or ""), json.loads(current)
    except ValueError:
        return False
    if not isinstance(old, dict) or "figures" not in old:
        return False
    return _drawn(new) <= _drawn(old) and {k: v for k, v in old.items() if k != "figures"} == \
        {k: v for k, v in new.items() if k != "figures"}


def _listed(names: list[str], limit: int = 3) -> str:
    return listed(names, limit, ", ", " and {n} more")


def _changed_entries(old, new) -> list[str]:
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    return sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))


_DESCRIBE_ONE = {
    "template": "template changed",
    "parameters": "parameters changed",
    "dataset": "dataset.yaml (name, description) changed",
    "inputs": "input files (list or checksums) changed",
    "data": "data slice changed",
    "figures": "figures drawn for the HTML only (the PDF needs vector figures)",
}


_DESCRIBE_EACH = {  # component: (singular, plural)
    "code": ("code", "code"),
    "reference": ("reference file", "reference files"),
    "catalogue": ("catalogue", "catalogues"),
    "open_sources": ("open source", "open sources"),
    "tables": ("processed table", "processed tables"),
}


_ORDER = ["template", "parameters", "data", "tables", "dataset", "inputs", "open_sources", "reference", "catalogue",
          "code", "figures"]


def key_changes(recorded: str, current: str) -> list[str]:
    """What changed between a recorded key and today's, in words, e.g. ``open source europol_context.csv
    changed``. Empty when the page is up to date (:func:`up_to_date`)."""
    if up_to_date(recorded, current):
        return []
    try:
        old = json.loads(recorded)
    except ValueError:
        old = None
    if not isinstance(old, dict) or "format" not in old:
        return [OLD_KEY_REASON]
    new = json.loads(current)
    if old.get("format") != new.get("format"):
        return [f"recorded by a socta with key format {old.get('format')}"]
    reasons = []
    for name in _ORDER + sorted((set(old) | set(new)) - set(_ORDER) - {"format"}):
        if old.get(name) == new.get(name) or (name == "figures" and _drawn(new) <= _drawn(old)):
            continue
        if name in _DESCRIBE_EACH:
            singular, plural = _DESCRIBE_EACH[name]
            entries = _changed_entries(old.get(name), new.get(name))
            if not entries:
                reasons.append(f"{plural} changed")
            elif name == "code":
                reasons.append(f"code changed ({_listed(entries)})")
            else:
                reasons.append(f"{singular if len(entries) == 1 else plural} {_listed(entries)} changed")
        else:
            reasons.append(_DESCRIBE_ONE.get(name, f"{name} changed"))
    return reasons or ["key changed"]


# ---- execution -----------------------------------------------------------------------------

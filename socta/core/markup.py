"""Data is text, never markup: the one function that makes a string from data inert in the book.

Every string a page takes from a data folder, a reference file, configuration or an open-source
snapshot passes through :func:`inert` before it can reach Markdown (``socta.pages.data`` applies it to
everything a page reads; the runner to page titles; ``socta.book.extension`` to the notices it stages). The
book is MyST, in which ``{{ … }}``, ``{role}`…```, ```` ```{directive} ````, ``<html>``, ``$math$``,
``[links](…)`` and ``*emphasis*`` are live, so a source cell holding any of them would run or render.

Why escape rather than refuse: a refusal needs a list of what looks like markup, and a list misses
something (MyST has dozens of roles, directives and extensions); escaping is total: every character
that can begin markup is written as itself (CommonMark's backslash escape, which MyST, Jupyter and
the LaTeX route all read as the plain character; a backtick as ``&#96;``), and runs of white space, line breaks among them,
become one space, so no field can start a block. An analyst who types ``<5 cases`` or ``{see annex}`` sees exactly that in the book.
Identifiers, codes and numbers contain none of these characters, so :func:`inert` leaves them as
they are and lookups by id still match.

Figures and alt text are not Markdown: :func:`plain` gives back the text as written for them
(``socta.pages.figures.plain_text``), where matplotlib draws it with its maths parser turned off.
"""
from __future__ import annotations

import dataclasses
import re
import string
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# characters that begin inline markup anywhere in a line (CommonMark, MyST roles and substitutions,
# dollarmath, raw HTML and entities, tables); backslash first, so an escape is never escaped again
_ANYWHERE = re.compile(r"[\\*{}\[\]<>$|~&^]")


# a backtick is written as a character reference, not escaped: a fence's opening line (a table's or
# a box's title) may hold no backtick at all, escaped or not
_BACKTICK = "&#96;"


# "_" opens emphasis only at a word's edge: snake_case ids stay as they are
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


# what MyST's linkify extension would make a link of: "http://", "www.", "name@host"
_LINKIFY = re.compile(r":(?=//)|(?<=www)\.|@", re.I)


# what begins a block when it starts a line: headings, quotes, fences, targets, comments, definition
# lists, bullets and thematic breaks ("- ", "---"), numbered lists ("1. ", "1) "); a number ("-5",
# "2.5") is left as it is
_LINE_START = re.compile(r"^(\s*)([#>:%(=]|[-+](?=\s|[-+]|$)|\d+(?=[.)](?:\s|$)))")

_WHITESPACE = re.compile(r"\s+")


# control characters (a DEL stops LaTeX, a form feed breaks the cover's box) and the bidirectional
# overrides and isolates (they make a name or a source read backwards): never text of a source
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _escape_characters(text: str) -> str:
    text = _ANYWHERE.sub(lambda m: "\\" + m.group(), text).replace("`", _BACKTICK)
    text = _UNDERSCORE.sub(r"\\_", text)
    return _LINKIFY.sub(lambda m: "\\" + m.group(), text)


def _escape_line_start(text: str) -> str:
    match = _LINE_START.match(text)
    if not match:
        return text
    lead, mark = match.group(1), match.group(2)
    return lead + ("\\" + mark if not mark[0].isdigit() else mark + "\\") + text[match.end():]


def inert(text: Any) -> Any:
    """``text`` as MyST that shows exactly these characters and nothing else; non-strings unchanged.

    >>> inert("{{ cycler.__init__ }} <b>x</b>")
    '\\\\{\\\\{ cycler.\\\\_\\\\_init\\\\_\\\\_ \\\\}\\\\} \\\\<b\\\\>x\\\\</b\\\\>'
    """
    if not isinstance(text, str) or not text:
        return text
    # one line, no leading or trailing space: a line break, an indent (a code block) or two spaces at
    # the end (a hard break) would be markup of their own
    return _escape_line_start(_escape_characters(one_line(text)))


def inert_piece(text: str) -> str:
    """A piece of a line made inert, its spaces at the ends kept (a word before a live value keeps its
    space); the caller makes the whole line's start inert with :func:`inert_line_start`."""
    return _escape_characters(_WHITESPACE.sub(" ", _INVISIBLE.sub("", text)))


def inert_line_start(line: str) -> str:
    """A line assembled from inert pieces, with what would begin a block at its start escaped."""
    return _escape_line_start(line)


def one_line(text: str) -> str:
    """``text`` without control characters or direction overrides, its white space one space."""
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def plain(text: Any) -> Any:
    """The text as written, from its :func:`inert` form (for figures, alt text, file names)."""
    if not isinstance(text, str) or ("\\" not in text and _BACKTICK not in text):
        return text
    return _ESCAPE.sub(r"\1", text).replace(_BACKTICK, "`")


def inert_template(template: str) -> str:
    """A format template from configuration (``There is a {term} that``) with its literal text made
    inert and its ``{field}`` placeholders kept."""
    out = []
    for literal, field, spec, conversion in string.Formatter().parse(one_line(template)):
        # a brace of the text itself stays a literal brace for str.format: doubled, after its escape
        out.append(_escape_characters(literal).replace("{", "{{").replace("}", "}}") if literal else "")
        if field is not None:
            out.append("{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return _escape_line_start("".join(out))


# columns whose text is structure, not prose: "|"-separated lists of codes (each code made inert,
# the separator kept), format templates from configuration (placeholders kept), and the censoring
# sign the processing derives ("<", ">")
LIST_COLUMNS = frozenset({"submarkets", "categories", "nationalities", "countries_active", "crime_areas",
                          "missing_countries", "disagreement"})


TEMPLATE_COLUMNS = frozenset({"opening"})

STRUCTURE_COLUMNS = frozenset({"censor"})


def inert_list(text: Any) -> Any:
    """A "|"-separated list (``SRB|MNE``) with every item inert and the separators kept."""
    if not isinstance(text, str) or not text:
        return text
    return "|".join(inert(part) for part in text.split("|"))


def _escaper(column: str):
    if column in STRUCTURE_COLUMNS:
        return None
    return inert_list if column in LIST_COLUMNS else inert_template if column in TEMPLATE_COLUMNS else inert


def inert_frame(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``frame`` whose text cells, column names and index are inert (lists, templates and
    derived signs as :data:`LIST_COLUMNS`, :data:`TEMPLATE_COLUMNS`, :data:`STRUCTURE_COLUMNS` say).
    Only distinct values are escaped, so a 200,000-row table of a few dozen sources costs a few
    dozen calls, and a column with nothing to escape is left untouched."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
                or isinstance(series.dtype, pd.CategoricalDtype)):
            continue
        escape = _escaper(str(column))
        if escape is None:
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories
            if categories.dtype == object or pd.api.types.is_string_dtype(categories):
                out[column] = series.cat.rename_categories([escape(c) for c in categories])
            continue
        values = pd.unique(series.dropna())
        mapping = {v: escape(v) for v in values if isinstance(v, str)}
        changed = {k: v for k, v in mapping.items() if k != v}
        if changed:
            out[column] = series.map(lambda v, changed=changed: changed.get(v, v) if isinstance(v, str) else v)
    out.columns = [inert(c) for c in out.columns]
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_levels([_inert_index(level) for level in out.index.levels])
    else:
        out.index = _inert_index(out.index)
    return out


def _inert_index(index):
    import pandas as pd

    if pd.api.types.is_object_dtype(index) or pd.api.types.is_string_dtype(index):
        return pd.Index([inert(v) for v in index], name=index.name)
    return index


def inert_tree(value: Any) -> Any:
    """Every string in a structure of dicts and lists (a YAML or JSON document, or the typed settings) made inert;
    keys too."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: inert_tree(getattr(value, f.name))
                                             for f in dataclasses.fields(value)})
    if isinstance(value, dict):
        return {inert_tree(k): inert_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(inert_tree(v) for v in value)
    return inert(value)


def index_term(text: str) -> str:
    """A name from data as an entry of the book's index (``{index}``): letters, digits, spaces and plain
    punctuation only. The index has a syntax of its own (``;`` splits an entry, ``!`` marks the main one,
    a leading ``single:`` its kind) that MyST's escapes do not reach, so anything else becomes a space."""
    kept = "".join(c if c.isalnum() or c in " -'’.,()" else " " for c in one_line(text))
    return _WHITESPACE.sub(" ", kept).strip()

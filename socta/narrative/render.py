"""A narrative file as the MyST the book shows, written back from its parsed tree.

The file is parsed with markdown-it (the parser MyST itself uses) and only what this module knows is
written back: paragraphs, emphasis, bullet and numbered lists, quotes, sub-headings, the live values
of :mod:`socta.narrative.values`, and two blocks of its own::

    ```{restricted} H2
    A passage only the restricted edition shows (H2: its handling code).
    ```

    ```{judgement}
    :term: likely
    :confidence: moderate
    Cocaine trafficking through the region's ports will grow in 2025.

    The rationale, with live values.
    ```

Every character of the analyst's text is made inert (:func:`socta.core.markup.inert_piece`), so a
``{{ }}``, a role, a directive or HTML typed in a narrative is shown as typed or refused with the file,
the line and the fix; it never runs. What cannot be shown (raw HTML, code, links, images, other
blocks) is refused rather than dropped, so nothing an analyst wrote disappears silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.myst_role import myst_role_plugin

from socta.core.markup import inert, inert_line_start, inert_piece
from socta.core.text import did_you_mean
from socta.i18n import translate as i18n
from socta.i18n.translate import t
from socta.narrative.files import NarrativeError, NarrativeFile, Part
from socta.narrative.values import Live, LiveValues, UnknownReference

CONFIDENCE = ("high", "moderate", "low")
_HANDLING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").use(myst_role_plugin)


@dataclass
class Issue:
    """A finding of the check on a narrative: where, what, and of which kind (number, direction,
    yardstick, value, judgement, translation)."""
    path: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.message}"


@dataclass
class Sentence:
    """A sentence of the narrative as the check reads it: its text with every live value replaced by
    :data:`LIVE_MARK`, the live values in it, and the line it starts on."""
    line: int
    text: str
    lives: list[Live] = field(default_factory=list)
    section: str = ""


LIVE_MARK = "\ufffc"


@dataclass
class Judgement:
    """A key judgement an analyst wrote: the term, the confidence, and the line."""
    line: int
    area: str
    scope: str
    term: str
    confidence: str
    model_term: str | None = None
    steps_apart: int | None = None


@dataclass
class Rendered:
    sections: dict[str, str] = field(default_factory=dict)   # section id → MyST ("" for a chapter's body)
    sentences: list[Sentence] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)      # the plain text of restricted passages
    issues: list[Issue] = field(default_factory=list)


class Renderer:
    """Renders one narrative file for one edition. ``sections``: the page's configured sections (None
    for a chapter, whose body is one text); ``restricted``: whether restricted passages are shown."""

    def __init__(self, file: NarrativeFile, values: LiveValues, restricted: bool, sections: list[Part] | None,
                 yardstick_terms: list[str]):
        self.file, self.values, self.restricted, self.parts = file, values, restricted, sections
        self.terms = yardstick_terms
        self.out = Rendered()
        self._section = ""

    def fail(self, line: int, message: str) -> NarrativeError:
        return NarrativeError(f"{self.file.where(line)}: {message}")

    def render(self) -> Rendered:
        tree = SyntaxTreeNode(parser().parse(self.file.body))
        if self.parts is None:
            self.out.sections[""] = self._blocks(tree.children, self.file.body_line, chapter=True)
            return self.out
        current, chunks = None, []
        for node in tree.children:
            line = self._line(node, self.file.body_line)
            if node.type == "heading" and node.tag == "h2":
                if current is not None:
                    self.out.sections[current.id] = self._section_text(current, chunks)
                current, chunks = self._part(node, line), []
                self._section = current.id
            elif current is None:
                raise self.fail(line, "text before the first section; begin with a section heading, one of "
                                      + ", ".join(f"'## {p.title}'" for p in self.parts))
            else:
                chunks.append(node)
        if current is not None:
            self.out.sections[current.id] = self._section_text(current, chunks)
        return self.out

    def _section_text(self, part: Part, nodes) -> str:
        body = self._blocks(nodes, self.file.body_line)
        return f"## {inert(t(part.title))}\n\n{body}" if body else ""

    def _part(self, node, line: int) -> Part:
        heading = self._plain(node.children[0]).strip()
        as_shown = i18n.transliterate(heading, i18n.language()).casefold()  # a Latin edition of a Cyrillic text
        for part in self.parts:
            if {heading.casefold(), as_shown} & {part.id.casefold(), part.title.casefold(), t(part.title).casefold()}:
                if part.id in self.out.sections:
                    raise self.fail(line, f"the section {heading!r} comes twice; keep one")
                return part
        names = [t(p.title) for p in self.parts]
        raise self.fail(line, f"{heading!r} is not a section of this page{did_you_mean(heading, names, codes=False)}; "
                              f"the sections are {', '.join(names)} (narrative.sections in settings.yaml)")

    @staticmethod
    def _line(node, base: int) -> int:
        return base + (node.map[0] if node.map else 0)

    # ---- blocks ----------------------------------------------------------------------------------
    def _blocks(self, nodes, base: int, chapter: bool = False) -> str:
        return "\n\n".join(b for b in (self._block(node, base, chapter) for node in nodes) if b)

    def _block(self, node, base: int, chapter: bool = False) -> str:
        line = self._line(node, base)
        if node.type == "paragraph":
            return inert_line_start(self._inline(node.children[0], line))
        if node.type == "heading":
            level = int(node.tag[1])
            if level == 1 or (level == 2 and not chapter):
                raise self.fail(line, f"a heading of level {level} ({'#' * level}) here: the page's own title and "
                                      "sections come from the configuration; use ### for a sub-heading")
            return f"{'#' * level} " + self._inline(node.children[0], line)
        if node.type in ("bullet_list", "ordered_list"):
            mark = "-" if node.type == "bullet_list" else "1."
            items = []
            for item in node.children:
                body = self._blocks(item.children, base)
                pad = " " * (len(mark) + 1)
                items.append(f"{mark} " + body.replace("\n", "\n" + pad))
            return "\n".join(items)
        if node.type == "blockquote":
            return "\n".join("> " + row if row else ">" for row in self._blocks(node.children, base).splitlines())
        if node.type == "fence":
            return self._fence(node, line)
        what = {"code_block": "an indented block (four spaces: Markdown shows it as code); remove the indent",
                "html_block": "HTML; write the text plainly (it would be markup in the book)",
                "hr": "a horizontal rule (---); remove it, or put a blank line above it if it closes front matter"}
        raise self.fail(line, what.get(node.type, f"{node.type.replace('_', ' ')}, which a narrative cannot hold"))

    def _fence(self, node, line: int) -> str:
        info = node.info.strip()
        name, _, argument = info.partition(" ")
        argument = argument.strip()
        body_base = line + 1
        if name == "{restricted}":
            if not _HANDLING.match(argument):
                raise self.fail(line, "a restricted passage needs its handling code: ```{restricted} H2")
            inner = SyntaxTreeNode(parser().parse(node.content))
            self.out.restricted.append(node.content.strip())
            if not self.restricted:  # the public edition: not rendered, not resolved, not checked
                return ""
            body = self._blocks(inner.children, body_base)
            title = inert(t("Restricted passage ({code})", code=argument))
            return (f"````{{admonition}} {title}\n"
                    f":class: restricted-passage\n{body}\n````")
        if name == "{judgement}":
            return self._judgement(node, line, argument)
        raise self.fail(line, f"a block {info or '(code)'}: a narrative holds text, {{restricted}} passages and "
                              "{judgement} blocks only")

    def _judgement(self, node, line: int, argument: str) -> str:
        options, rows = {}, node.content.splitlines()
        while rows and re.match(r"^:\w+:", rows[0]):
            key, _, value = rows.pop(0)[1:].partition(":")
            options[key.strip()] = value.strip()
        unknown = set(options) - {"term", "confidence", "area", "scope"}
        if unknown:
            raise self.fail(line, f"a judgement has no option {sorted(unknown)[0]!r}; its options are :term:, "
                                  ":confidence:, :area: and :scope:")
        area = options.get("area") or self.values.area
        if not area:
            raise self.fail(line, "this judgement names no crime area: add :area: drugs (a chapter has no area of its own)")
        scope = options.get("scope") or self.values.scope
        term = self._choice(options.get("term", ""), self.terms, "term", line, "the yardstick (probability_yardstick.csv)")
        confidence = self._choice(options.get("confidence", ""), CONFIDENCE, "confidence", line, "high, moderate or low")
        try:
            model = self.values.page.judgement(area, scope)
        except (KeyError, LookupError):
            raise self.fail(line, f"no crime area {area!r} in scope {scope!r}") from None
        judged = Judgement(line, area, scope, term, confidence, model.get("term"))
        if judged.model_term:
            judged.steps_apart = abs(self.terms.index(term) - self.terms.index(judged.model_term))
        self.out.judgements.append(judged)
        inner = SyntaxTreeNode(parser().parse("\n".join(rows)))
        blocks = [self._block(n, line + 1 + len(options)) for n in inner.children]
        if not blocks:
            raise self.fail(line, "a judgement without its statement: write it under the options")
        statement, rationale = blocks[0], [b for b in blocks[1:] if b]
        rows_out = [f"**{statement}**",
                    t("The analysts’ term: *{term}*. Analytic confidence: *{level}*.", term=t(term), level=t(confidence)),
                    *rationale,
                    t("The model's reading of the data: {text}", text=model["text"])]
        if judged.steps_apart and judged.steps_apart > 1:
            self.out.issues.append(Issue(str(self.file.path), line, "judgement",
                                         f"the analysts' term {term!r} is {judged.steps_apart} steps of the yardstick from "
                                         f"the model's {judged.model_term!r}; say why in the rationale, or reconsider"))
            if self.restricted:
                rows_out.append(t("For reviewers: the analysts' term and the model's ({model}) are {n} steps of the "
                                  "yardstick apart.", model=t(judged.model_term), n=str(judged.steps_apart)))
        body = "\n\n".join(rows_out)
        title = inert(t("Key judgement of the analysts"))
        return f"```{{admonition}} {title}\n:class: key-judgement analyst-judgement\n{body}\n```"

    def _choice(self, value: str, allowed, what: str, line: int, known: str) -> str:
        as_shown = i18n.transliterate(value, i18n.language()).casefold()
        for option in allowed:
            if {value.casefold(), as_shown} & {option.casefold(), t(option).casefold()}:
                return option
        raise self.fail(line, f"the judgement's {what} {value!r} is not one of {known}"
                              f"{did_you_mean(value, list(allowed), codes=False)}: write :{what}: {allowed[0]}")

    # ---- inline ----------------------------------------------------------------------------------
    def _inline(self, inline, line: int) -> str:
        out, pieces, _ = self._pieces(inline, line)
        self._sentences(pieces)
        return out

    def _pieces(self, inline, line: int) -> tuple[str, list, int]:
        """The MyST of an inline run, its (text, live value, line) pieces for the sentences, and the
        line it ends on."""
        out, pieces = [], []
        current = line
        for token in inline.children:
            kind = token.type
            if kind == "text":
                out.append(inert_piece(token.content))
                pieces.append((token.content, None, current))
            elif kind in ("softbreak", "hardbreak"):
                out.append(" ")
                pieces.append((" ", None, current))
                current += 1
            elif kind in ("em", "strong"):
                mark = "*" if kind == "em" else "**"
                inner, inner_pieces, current = self._pieces(token, current)
                out.append(f"{mark}{inner}{mark}")
                pieces += inner_pieces
            elif kind == "myst_role":
                live = self._live(token.meta.get("name", ""), token.content, current)
                out.append(live.text)  # printed by the page API, whose text from data is inert already
                pieces.append(("", live, current))
            elif kind == "code_inline":
                raise self.fail(current, f"`{token.content}` is code: a live value is written with its role, "
                                         f"e.g. {{value}}`{token.content}`")
            elif kind in ("html_inline", "image", "link"):
                what = {"html_inline": "HTML", "image": "an image", "link": "a link"}[kind]
                raise self.fail(current, f"{what} cannot be part of a narrative: write the text plainly (an address "
                                         "as text, a figure through its page)")
            else:
                raise self.fail(current, f"{kind.replace('_', ' ')} cannot be part of a narrative")
        return "".join(out), pieces, current

    def _plain(self, node) -> str:
        return "".join(c.content if c.type in ("text", "code_inline") else " " if c.type.endswith("break")
                       else self._plain(c) for c in (node.children or []))

    def _live(self, role: str, reference: str, line: int) -> Live:
        try:
            live = self.values.resolve(role, reference)
        except UnknownReference as exc:
            raise self.fail(line, str(exc)) from None
        if live.problem and live.number is None and live.text == t("not available"):
            self.out.issues.append(Issue(str(self.file.path), line, "value",
                                         f"{{{role}}}`{reference}` shows '{live.text}': {live.problem}"))
        return live

    def _sentences(self, pieces) -> None:
        """Cut a paragraph into sentences for the check, each with its live values and the line it
        starts on: after a full stop, question or exclamation mark followed by a space and a capital
        (a decimal point has no space after it; "2024. за" in Serbian goes on in lower case)."""
        text, lines, lives = "", [], []
        for piece, live, line in pieces:
            if live is not None:
                lives.append(live)
                piece = LIVE_MARK
            text += piece
            lines += [line] * len(piece)
        starts = [0] + [m.end() for m in re.finditer(r"[.!?]\s+", text)
                        if text[m.end():].lstrip("\"'(«„*")[:1].isupper()]
        taken = 0
        for start, end in zip(starts, [*starts[1:], len(text)]):
            chunk = text[start:end]
            lead = len(chunk) - len(chunk.lstrip())
            n = chunk.count(LIVE_MARK)
            self._keep(Sentence(lines[min(start + lead, len(lines) - 1)] if lines else 0, chunk,
                                lives[taken:taken + n], self._section))
            taken += n

    def _keep(self, sentence: Sentence) -> None:
        if sentence.text.strip():
            sentence.text = sentence.text.strip()
            self.out.sentences.append(sentence)


def restricted_passages(file: NarrativeFile) -> list[str]:
    """The text of every restricted passage of a narrative file, as written (for the leak scan)."""
    tokens = parser().parse(file.body)
    return [tok.content for tok in tokens if tok.type == "fence" and tok.info.strip().startswith("{restricted}")]

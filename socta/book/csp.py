"""The Content Security Policy every HTML page carries: only the theme's own inline scripts and
handlers run; a page with any other inline script fails the build."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from socta.book.stage import BuildError

_HEAD = re.compile(r"<head[^>]*>", re.I)


class _InlineCode(HTMLParser):
    """The inline scripts of a page and its inline event handlers, as a browser parses them: text that
    merely looks like a handler (a payload shown as text) is not one, and is never allowed."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._script: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.handlers += [value or "" for name, value in attrs if name.startswith("on")]
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


# The inline scripts and event handlers the themes (pydata-sphinx-theme, sphinx-book-theme,
# sphinx-togglebutton, sphinx-thebe) write into a page, by how each begins: the only ones a page may
# run. Anything else inline is not the book's: the build fails (a theme upgrade that adds a script
# fails here too, with the script named, until it is added).
THEME_SCRIPTS = ("document.documentElement.dataset.mode = ", "let toggleHintShow = ", "let toggleHintHide = ",
                 "let toggleOpenOnPrint = ", "var togglebuttonSelector = ", "const THEBE_JS_URL = ",
                 "DOCUMENTATION_OPTIONS.", "kernelName = ", "// Activate the search field on page load",
                 "{\n        requestKernel: true,")


THEME_HANDLERS = frozenset({"window.print()", "toggleFullScreen()"})


def content_security_policy(page: str, where: str = "the page") -> str:
    """The policy of one HTML page: scripts, styles, images and fonts from the book itself only, the
    theme's inline scripts and handlers by their SHA-256 (:data:`THEME_SCRIPTS`, :data:`THEME_HANDLERS`),
    no plug-ins, no framing of forms or a base URL elsewhere. Styles keep 'unsafe-inline' for the
    theme's style attributes (which run no code). Raises :class:`BuildError` on an inline script or
    handler that is not the theme's: were markup ever to get through, it would not run, and the
    build says so."""
    import base64
    import hashlib

    def digest(body: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"

    code = _InlineCode(page)
    foreign = [body for body in code.scripts if not body.strip().startswith(THEME_SCRIPTS)]
    foreign += [body for body in code.handlers if body not in THEME_HANDLERS]
    if foreign:
        raise BuildError(f"{where}: {len(foreign)} inline script(s) or event handler(s) that are not the theme's, "
                         f"e.g. {foreign[0].strip()[:120]!r}; text from data must not carry markup (if a theme "
                         "upgrade added it, add its beginning to socta.book.csp.THEME_SCRIPTS)")
    scripts = sorted({digest(body) for body in code.scripts})
    handlers = sorted({digest(body) for body in code.handlers})
    script_src = " ".join(["'self'", *scripts, *(["'unsafe-hashes'", *handlers] if handlers else [])])
    return "; ".join([
        "default-src 'none'", "script-src " + script_src, "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'", "manifest-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'"])


_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy"', re.I)


def add_content_security_policy(html_dir: Path, only: list[Path] | None = None) -> None:
    """A Content-Security-Policy ``<meta>`` first in the ``<head>`` of every page of ``html_dir`` (of
    the files ``only`` lists, when given: those a rebuild changed)."""
    for path in html_dir.rglob("*.html") if only is None else [p for p in only if p.suffix == ".html"]:
        page = path.read_text(encoding="utf-8")
        head = _HEAD.search(page)
        if head is None or _CSP_META.match(page, head.end() + 5):  # no head (a redirect), or done already
            continue
        policy = content_security_policy(page, str(path.relative_to(html_dir)))
        meta = f'\n    <meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
        path.write_text(page[:head.end()] + meta + page[head.end():], encoding="utf-8")

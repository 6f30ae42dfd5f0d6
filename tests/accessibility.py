"""axe-core in a real headless Chromium over built HTML pages: the accessibility check of the book tier.

Nothing is fetched when the tests run: axe-core is the copy pinned in the ``axe-playwright-python``
wheel (requirements.txt), the browser is Debian's chromium (``make browser``, run by ``make test``),
which Playwright drives without its own download, and every request off the machine is refused.

Three things the pages need (found when the check was built):
- axe goes in through ``page.evaluate``: the book's Content-Security-Policy refuses an injected script tag;
- axe's preloading of stylesheets is off: on ``file://`` it fails, and it feeds only an experimental
  rule that the WCAG tags do not run;
- a redirect stub (``index.html`` → ``intro.html``) navigates away while axe runs: it is not audited.
"""
from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = ("critical", "serious")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND"]   # nothing off the machine, and no waiting for it
_RUN_AXE = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'], preload: false})).violations.map(v => ({id: v.id, impact: v.impact,
    help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
_REFRESH = re.compile(rb"<meta[^>]+http-equiv\s*=\s*[\"']?refresh", re.I)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def axe_version() -> str:
    head = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")[:200]
    return head.split("axe v", 1)[1].split()[0]


def pages_of(html: Path) -> list[Path]:
    """Every page a reader can open in a built HTML book (not the theme's and Sphinx's own files)."""
    return sorted(p for p in html.rglob("*.html") if not any(part.startswith("_") for part in p.relative_to(html).parts))


def audit(pages: list[Path], width: int = 1280) -> dict[Path, list[dict]]:
    """The WCAG 2.1 A and AA violations axe finds on each page at a window ``width`` pixels wide:
    ``{page: [{id, impact, help, nodes, targets}, …]}``."""
    from playwright.sync_api import sync_playwright

    source = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    found: dict[Path, list[dict]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            tab = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            for page in pages:
                with open(page, "rb") as f:
                    if _REFRESH.search(f.read(4096)):
                        continue
                tab.goto(page.as_uri(), wait_until="load")
                tab.evaluate(source)
                found[page] = tab.evaluate(_RUN_AXE, list(WCAG_TAGS))
        finally:
            browser.close()
    return found


def blocking(found: dict[Path, list[dict]], root: Path) -> list[str]:
    """The serious and critical violations, one line each, named by page and rule."""
    return [f"{page.relative_to(root)}: [{v['impact']}] {v['id']} ({v['help']}), {v['nodes']} element(s), "
            f"e.g. {v['targets'][:1]}" for page, violations in found.items() for v in violations
            if v["impact"] in BLOCKING]

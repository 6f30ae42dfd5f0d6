"""``socta preview``: the edition's HTML on localhost, rebuilt when a narrative file is saved.

No notebook runs: a saved narrative is rendered into the executed pages of the book source and Sphinx
rebuilds the pages whose source changed (:func:`socta.book.build.build_html`). The server answers on
127.0.0.1 only, from the edition's published HTML folder, which each rebuild replaces whole.
"""
from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

from socta.book.build import build_html
from socta.book.stage import BuildError
from socta.core.config import Project
from socta.core.errors import ConfigError
from socta.narrative import files


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` by path, modification time and size: what a save changes."""
    if not folder.is_dir():
        return {}
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


def rebuild(project: Project, audience: str, lang: str) -> tuple[float, str]:
    """Build the edition's HTML again; (seconds, "" or the error that stopped it: the last good
    edition stays on the server)."""
    start = time.perf_counter()
    try:
        build_html(project, audience, lang)
    except (BuildError, ConfigError) as exc:
        return time.perf_counter() - start, str(exc)
    return time.perf_counter() - start, ""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # a request is not news
        pass


def serve(project: Project, audience: str, lang: str, port: int, say, poll: float = 0.3,
          stop: threading.Event | None = None) -> None:
    """Serve the edition and rebuild it on every save of a narrative file, until ``stop`` is set (or
    Ctrl-C). ``say`` prints a line."""
    html_dir = project.edition_dir(audience, lang) / "html"
    handler = functools.partial(_Quiet, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    watched = files.folder(project)
    say(f"Serving {html_dir} on http://127.0.0.1:{server.server_address[1]}/ ; watching {watched} (Ctrl-C stops)")
    stop = stop or threading.Event()
    seen = snapshot(watched)
    try:
        while not stop.wait(poll):
            now = snapshot(watched)
            if now == seen:
                continue
            seen = now
            seconds, error = rebuild(project, audience, lang)
            say(f"rebuilt in {seconds:.1f} s" if not error else f"not rebuilt ({seconds:.1f} s): {error}")
    finally:
        server.shutdown()
        server.server_close()

"""Warm kernels: each worker executes its notebooks on one kernel that started and imported the
analysis stack once, reset to a clean, verified state before every notebook.

A fresh kernel per notebook costs about 2 s to start and 1.5 s to import pandas, matplotlib, seaborn
and socta, for well under a second of a page's own work. Here a worker starts its kernel when it
starts (:func:`prestart`) and keeps it. Before each notebook :func:`reset` gives it the state of a new
session: an empty user namespace, execution count 1, no figures, matplotlib's settings, the display
formats, the warning filters and socta's own switches as they were right after the warm-up, and the
notebook's working folder. Then it checks that state and refuses to run on a kernel that fails the
check: the runner then starts a fresh one. A notebook run this way has the same outputs as on a fresh
kernel (``tests/book/test_runner.py`` compares the whole demo grid both ways).

``SOCTA_FRESH_KERNELS=1`` (or ``socta run --fresh-kernels``) goes back to one new kernel per notebook.
"""
from __future__ import annotations

import atexit
import os

from socta.i18n import translate as i18n
from socta.pages import render

ENGINE = "socta-warm"

KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]  # the kernel's own log lines are not the analyst's business


# what every page imports: paid once per kernel instead of once per notebook
WARM_IMPORTS = ("numpy", "pandas", "matplotlib.pyplot", "seaborn", "myst_nb", "socta.pages.page", "socta.pages.area",
                "socta.pages.conclusions", "socta.pages.factors", "socta.pages.methodology", "socta.pages.ocg",
                "socta.pages.open_sources", "socta.pages.provenance", "socta.analysis.scoring", "scipy.stats")


_snapshot: dict = {}


def fresh_kernels() -> bool:
    return os.environ.get("SOCTA_FRESH_KERNELS", "") not in ("", "0")


# ---- inside the kernel ---------------------------------------------------------------------------
def warm_up() -> None:
    """Import the analysis stack, then remember the state a new session starts from."""
    import importlib
    import warnings

    import matplotlib
    from IPython import get_ipython

    for module in WARM_IMPORTS:
        importlib.import_module(module)
    shell = get_ipython()
    _snapshot["names"] = _user_names(shell)  # what a new session has
    _snapshot["rc"] = dict(matplotlib.rcParams)
    _snapshot["warnings"] = list(warnings.filters)


def _user_names(shell) -> set[str]:
    """The names a notebook's code defined (IPython's own and dunder names aside)."""
    return {name for name in shell.user_ns if name not in shell.user_ns_hidden and not name.startswith("__")}


def reset(cwd: str) -> None:
    """Give this kernel a new session's state for the next notebook, and check it."""
    import sys
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.backend_inline import InlineBackend

    shell = get_ipython()
    plt.close("all")
    shell.reset(new_session=True)  # user namespace, history, execution count 1
    dict.update(matplotlib.rcParams, _snapshot["rc"])  # dict.update: no validation, exactly the old values
    warnings.filters[:] = _snapshot["warnings"]
    warnings._filters_mutated()  # "once" warnings show again, as in a new process
    inline = InlineBackend.instance()
    select_figure_formats(shell, inline.figure_formats, **inline.print_figure_kwargs)
    render.OUTPUT = "book"
    i18n.set_language("en")
    sys.stdout.flush()
    os.chdir(cwd)
    # the check: a kernel in any other state is not used
    user = _user_names(shell)
    assert user == _snapshot["names"], f"names left in the user namespace: {sorted(user - _snapshot['names'])[:5]}"
    assert shell.execution_count == 1 and not plt.get_fignums() and os.getcwd() == cwd
    assert dict(matplotlib.rcParams) == _snapshot["rc"]


# ---- in the worker process -----------------------------------------------------------------------
class WarmKernel:
    """This process's kernel: started and warmed once, reset before each notebook."""

    def __init__(self):
        self.km = None
        self.kc = None

    def _run(self, code: str, timeout: float) -> None:
        reply = self.kc.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                            output_hook=lambda msg: None)
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def start(self, kernel_name: str = "python3", timeout: float = 60, attempts: int = 3) -> None:
        """Start and warm the kernel. Two kernels starting at once can pick the same free port (the
        second then dies with "Address already in use"): a kernel that dies starting is replaced by
        one on new ports, up to ``attempts`` times."""
        from jupyter_client.manager import KernelManager

        for attempt in range(1, attempts + 1):
            try:
                self.km = KernelManager(kernel_name=kernel_name)
                self.km.start_kernel(extra_arguments=KERNEL_ARGS)
                self.kc = self.km.client()
                self.kc.start_channels()
                self.kc.wait_for_ready(timeout=timeout)
                self._run("__import__('socta.run.kernels', fromlist=['_']).warm_up()", timeout)
                return
            except Exception:  # noqa: BLE001 - retried; the last failure is raised
                self.stop()
                if attempt == attempts:
                    raise

    def stop(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - a kernel that died starting has nothing left to stop
            pass
        self.km = self.kc = None

    def ready(self, cwd: str, kernel_name: str = "python3", timeout: float = 60):
        """The kernel, in a new session's state in ``cwd``; a kernel that cannot be reset is replaced."""
        if self.km is None or not self.km.is_alive():
            self.stop()
            self.start(kernel_name, timeout)
        try:
            self._run(f"__import__('socta.run.kernels', fromlist=['_']).reset({cwd!r})", timeout)
        except Exception:  # noqa: BLE001 - not clean: a new kernel, warmed, then the same check
            self.stop()
            self.start(kernel_name, timeout)
            self._run(f"__import__('socta.run.kernels', fromlist=['_']).reset({cwd!r})", timeout)
        return self.km, self.kc


KERNEL = WarmKernel()

atexit.register(KERNEL.stop)


def prestart() -> None:
    """Start and warm this worker's kernel now (a pool worker's initializer), while others work.

    It never raises: an initializer that fails breaks the whole pool. A kernel that could not be
    started here is started again before the worker's first notebook, whose failure then says why."""
    if not fresh_kernels():
        try:
            KERNEL.start()
        except Exception:  # noqa: BLE001 - see above
            KERNEL.stop()


def register_engine() -> None:
    """Make ``engine_name="socta-warm"`` available to papermill in this process."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            km, kc = KERNEL.ready(os.getcwd(), kernel_name, start_timeout)  # papermill has chdir'ed to cwd
            client = PapermillNotebookClient(nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file)
            client.kc = kc  # ours: the client neither starts nor stops it
            try:
                return client.execute()
            except BaseException:  # a timeout or an interrupt can leave anything behind: next time, a new kernel
                KERNEL.stop()
                raise

    papermill_engines.register(ENGINE, WarmEngine)

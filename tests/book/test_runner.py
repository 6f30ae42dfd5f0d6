"""The runner: failure isolation, the incremental cache, and a Dask cluster run like the local pool."""
import shutil

import nbformat
import pytest

from socta.core.config import NOTEBOOKS_DIR, Project
from socta.ingest.reference import Reference
from socta.ingest.validation import validate
from socta.process.tables import write_processed
from socta.run.execute import run_grid
from socta.run.jobs import Job, grid
from socta.run.keys import keys_for, recorded_key

from ..helpers import REPO, socta


def demo_copy_project(root) -> Project:
    data = root / "data"
    shutil.copytree(REPO / "data" / "demo-2016", data)
    return Project(data_dir=data, build_dir=root / "build")


@pytest.fixture()
def changing(tmp_path):
    """A copy of the demo this test changes; each ``rerun`` validates and processes it."""
    return demo_copy_project(tmp_path)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the demo, validated and processed once, shared by the tests that only run pages on it
    (each in a folder of its own)."""
    project = demo_copy_project(tmp_path_factory.mktemp("runner"))
    write_processed(project, validate(project))
    return project


def small_grid(project):
    jobs = grid(project, "public", "en", project.processed_dir("public"), areas=["drugs", "property"])
    assert len(jobs) == 8
    return jobs


def rerun(project, jobs):
    write_processed(project, validate(project))
    keys = keys_for(project, jobs, project.processed_dir("public"))
    source = project.edition_dir("public", "en") / "source"
    outcomes = run_grid(jobs, source, source.parent / "failed", workers=2, keys=keys)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    return {o.job.output for o in outcomes if not o.skipped}


def test_cache_reruns_exactly_the_pages_whose_inputs_changed(changing):
    project = changing
    jobs = small_grid(project)
    assert rerun(project, jobs) == {j.output for j in jobs}           # cold: everything
    assert rerun(project, jobs) == set()                              # nothing changed: nothing runs
    stats = project.data_dir / "statistics.csv"
    lines = stats.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[header.index("country")] == "MNE" and cells[header.index("indicator")] == "thefts" \
                and cells[header.index("year")] == "2024":
            cells[header.index("value")] = str(int(cells[header.index("value")]) + 40)
            lines[i] = ",".join(cells)
    stats.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Montenegro's thefts feed only the property pages of Montenegro and of the region
    assert rerun(project, jobs) == {"areas/property/countries/montenegro", "areas/property/index"}
    # a template change re-runs that template's pages only
    source = project.edition_dir("public", "en") / "source"
    assert all(recorded_key(source, j) for j in jobs)


def test_a_failing_notebook_leaves_the_others_and_the_previous_page(project, tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text((NOTEBOOKS_DIR / "area.md").read_text(encoding="utf-8").replace(
        "answers = page.expert_answers()",
        "answers = page.expert_answers()\nraise RuntimeError('harm table missing for this country')"),
        encoding="utf-8")
    jobs = small_grid(project)[:3]
    bad = Job(str(broken), jobs[0].output, jobs[0].title, jobs[0].parameters)
    source = tmp_path / "source"
    previous = source / f"{bad.output}.ipynb"
    previous.parent.mkdir(parents=True)
    previous.write_text("the previous good page", encoding="utf-8")
    outcomes = {o.job.output: o for o in run_grid([bad, *jobs[1:]], source, source.parent / "failed", workers=2)}
    assert [o.ok for o in outcomes.values()].count(False) == 1
    failed = outcomes[bad.output]
    assert failed.error.startswith("cell ") and "RuntimeError: harm table missing" in failed.error
    assert previous.read_text(encoding="utf-8") == "the previous good page"
    assert nbformat.read(failed.failed_copy, as_version=4)
    for job in jobs[1:]:
        assert (source / f"{job.output}.ipynb").is_file()


def test_the_command_exits_non_zero_and_names_the_failing_cell(tmp_path):
    # a processed table lost after validation (a damaged build folder): the pages that read it fail
    # in their cell; a typo in configuration, the earlier way of making a page fail here, is now
    # refused before any page runs (tests/unit/test_safe_inputs.py)
    build = tmp_path / "build"
    assert socta("validate", "--data", REPO / "data" / "demo-2016", "--build-dir", build).returncode == 0
    (build / "processed/public/trends.parquet").unlink()
    result = socta("report", "--data", REPO / "data" / "demo-2016", "--build-dir", build, "--country", "MNE",
                   "--area", "cyber", "--area", "thb", "--formats", "html")
    assert result.returncode == 1
    assert "0 executed, 0 up to date, 2 failed" in result.stdout
    assert "areas/cyber/countries/montenegro (country MNE, area cyber): cell" in result.stdout
    assert "FileNotFoundError" in result.stdout and "The book was not built from a failed run" in result.stdout
    assert (build / "public-en/failed/areas/cyber/countries/montenegro.ipynb").is_file()


def outputs_of(path):
    nb = nbformat.read(path, as_version=4)
    return [(o.get("output_type"), o.get("data", {}).get("text/markdown"), o.get("text"))
            for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_a_local_dask_cluster_produces_the_same_notebooks_as_the_local_pool(project):
    from distributed import LocalCluster

    jobs = [j for j in grid(project, "public", "en", project.processed_dir("public"))
            if j.output in ("methodology", "areas/drugs/countries/montenegro")]
    local = project.build_dir / "local"
    run_grid(jobs, local, project.build_dir / "f1", workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask_dir = project.build_dir / "dask"
        outcomes = run_grid(jobs, dask_dir, project.build_dir / "f2", scheduler=cluster.scheduler_address)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    for job in jobs:
        assert outputs_of(local / f"{job.output}.ipynb") == outputs_of(dask_dir / f"{job.output}.ipynb")


def executed(path):
    """What a page's run produced: each code cell's source, execution count and every output (images
    included); not the timings in the metadata."""
    nb = nbformat.read(path, as_version=4)
    return [(c.source, c.execution_count, c.outputs) for c in nb.cells if c.cell_type == "code"]


def test_warm_kernels_give_exactly_the_notebooks_of_fresh_kernels(edition, tmp_path, monkeypatch):
    """The whole demo grid on reused, reset kernels (the default) and on one new kernel per notebook.

    The warm run is the one `socta report` made of the public edition (tests/book/conftest.py, the demo
    with canaries, two workers): only the fresh run is made here, of the same jobs on the same tables
    (and, warm, any page out of date since the edition ran)."""
    project = Project(data_dir=edition.parent / "data", build_dir=edition)
    jobs = grid(project, "public", "en", project.processed_dir("public"))
    warm, fresh = tmp_path / "warm", tmp_path / "fresh"
    assert not list((project.edition_dir("public", "en") / "failed").rglob("*.ipynb"))   # every warm page ran
    shutil.copytree(project.edition_dir("public", "en") / "source", warm)
    # a page whose code, template or data changed since the edition ran (the package edited while the
    # tests run) runs again here, warm, so that both runs are of the same code: on a fixed checkout, none
    keys = keys_for(project, jobs, project.processed_dir("public"))
    again = run_grid(jobs, warm, tmp_path / "failed-warm", workers=2, keys=keys)
    assert all(o.ok for o in again), [o.error for o in again if not o.ok]
    monkeypatch.setenv("SOCTA_FRESH_KERNELS", "1")
    outcomes = run_grid(jobs, fresh, tmp_path / "failed", workers=2)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    # a page per crime area and scope, per scope of the OCG chapter, and the five pages of the whole region
    scopes = len(Reference(project).countries) + 1
    assert len(jobs) == len(Reference(project).top_areas) * scopes + scopes + 5
    for job in jobs:
        assert executed(warm / f"{job.output}.ipynb") == executed(fresh / f"{job.output}.ipynb"), job.output


def test_a_kernel_that_dies_starting_is_replaced(monkeypatch):
    """Two workers starting kernels at once can pick the same port; the kernel that dies with
    "Address already in use" is replaced, and a worker's initializer never breaks the pool."""
    from jupyter_client.manager import KernelManager

    from socta.run import kernels

    original, calls = KernelManager.start_kernel, []

    def flaky(self, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info (Address already in use)")
        return original(self, **kwargs)

    monkeypatch.setattr(KernelManager, "start_kernel", flaky)
    kernel = kernels.WarmKernel()
    try:
        kernel.start()
        assert len(calls) == 2 and kernel.km.is_alive()
    finally:
        kernel.stop()
    monkeypatch.setattr(KernelManager, "start_kernel", lambda self, **kw: (_ for _ in ()).throw(RuntimeError("no")))
    monkeypatch.setattr(kernels, "KERNEL", kernels.WarmKernel())
    kernels.prestart()  # three failures: no exception, no kernel; the first notebook will try again
    assert kernels.KERNEL.km is None

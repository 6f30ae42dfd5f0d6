"""Files: reading an edition's processed tables (what notebooks do; kept free of heavy imports), and
swapping a finished folder into place in one step, so a failed run never leaves half a folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd


def table_path(processed_dir: Path | str, name: str) -> Path:
    """Where the processed table ``name`` of an edition's folder is."""
    return Path(processed_dir) / f"{name}.parquet"


def load(processed_dir: Path | str, name: str) -> pd.DataFrame:
    path = table_path(processed_dir, name)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: this edition's processed data has no table {name!r} "
            "(OCG-level tables exist only for the restricted audience); run `socta validate` first"
        )
    return pd.read_parquet(path)


def _swap_dir(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with two renames; the old copy is removed only afterwards."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)

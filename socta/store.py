"""Reading an edition's processed tables (what notebooks do; kept free of heavy imports)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def load(processed_dir: Path | str, name: str) -> pd.DataFrame:
    path = Path(processed_dir) / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: this edition's processed data has no table {name!r} "
            "(OCG-level tables exist only for the restricted audience); run `socta validate` first"
        )
    return pd.read_parquet(path)

"""`radar --help` stays quick: the command line imports no heavy library until a command
runs (and `radar serve` can then set how many threads BLAS starts before NumPy loads it)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "sqlalchemy", "mlflow", "gensim", "sklearn", "fastapi")


def test_the_command_line_imports_nothing_heavy() -> None:
    code = f"import sys, cli.main; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

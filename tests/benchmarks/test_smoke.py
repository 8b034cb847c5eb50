"""Every benchmark at its tiny size, so they keep working (their figures are not checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.__main__ import main


@pytest.mark.timeout(90)
def test_every_benchmark_runs_at_the_tiny_size(tmp_path: Path) -> None:
    """`python -m benchmarks --size tiny` on SQLite prints the table and writes the report."""
    output = tmp_path / "performance.md"
    main(["--size", "tiny", "--db", "sqlite", "--output", str(output)])
    written = output.read_text()
    assert "# Performance" in written
    assert "**Machine:**" in written
    for benchmark in (
        "1 update handling",
        "2 broadcast",
        "3 reminder sweep",
        "4 feeds",
        "5 import",
        "6 memory",
    ):
        assert f"| {benchmark} |" in written, benchmark

"""`make bench`'s last step rewrites docs/performance.md: each section replaced by the one a
benchmark printed this time, kept where none did, new ones added at the end."""

from pathlib import Path

import pytest

from changing_lives.devtools.bench import report


def test_sections_are_replaced_kept_or_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "machine_line", lambda: "a test machine")
    doc = tmp_path / "performance.md"
    doc.write_text(
        "# Performance\n\nOld header.\n\n"
        "## Loading demo data (seed_demo)\n\nold seed figures\n\n"
        "## A hand-written section\n\nkept as it is\n"
    )
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "seed.md").write_text("## Loading demo data (seed_demo)\n\nnew seed figures\n")
    (bench / "purge.md").write_text("## The purge\n\npurge figures\n")
    (bench / "web.md").write_text("not a section: ignored\n")

    renewed = report.write(doc, bench)

    text = doc.read_text()
    assert renewed == ["## Loading demo data (seed_demo)", "## The purge"]
    assert text.startswith("# Performance\n")
    assert "Machine of the last `make bench`: a test machine." in text
    assert "Old header." not in text
    assert "new seed figures" in text
    assert "old seed figures" not in text
    assert "kept as it is" in text
    assert text.index("## A hand-written section") < text.index("## The purge")

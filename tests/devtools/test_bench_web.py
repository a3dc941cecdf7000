"""bench-web's figures: a page's p95 is the median of its rounds' p95s (one round's p95 is a
handful of requests), its median is over every request, and the section shows each round."""

import argparse
import math

from changing_lives.devtools.bench.sections import web_section
from changing_lives.devtools.bench.web import PAGES, LoadRun, page_figures


def test_a_pages_p95_is_the_median_of_its_rounds_and_its_median_of_every_request() -> None:
    calm = [(float(ms), False) for ms in range(1, 101)]  # p95: 95
    stalled = [*calm[:-1], (900.0, True)]  # one stall: p95 still 95
    slow = [(ms * 2, False) for ms, _failed in calm]  # p95: 190

    figures = page_figures([calm, stalled, slow])

    assert figures.p95_rounds == [95.0, 95.0, 190.0]
    assert figures.p95 == 95.0
    assert figures.requests == 300
    assert figures.errors == 1
    assert figures.median == 60.5  # of all 300, not of a round
    assert math.isnan(page_figures([[], []]).p95)


def test_the_section_shows_each_rounds_p95_and_the_ratio_of_the_medians() -> None:
    runs = []
    for families, ms in ((30_000, 40.0), (250_000, 50.0)):
        run = LoadRun(families=families, individuals=families * 4, seed_seconds=60.0)
        run.seconds, run.caseload, run.load_average = 180.0, "300 to 330", "1.0 1.0 1.0"
        for name in PAGES:
            run.pages[name] = page_figures(
                [[(ms, False)] * 20, [(ms + 10, False)] * 20, [(ms + 20, False)] * 20]
            )
        runs.append(run)
    args = argparse.Namespace(workers=5, users=20, rounds=3, duration=60)

    text = web_section(runs, args, "a test machine")

    assert "3 rounds of 60 s at each size" in text
    assert "| family list | 60 | 0 | 50.0 | 50.0 | 40.0 / 50.0 / 60.0 |" in text
    assert "| 1.20 |" in text  # 60 / 50
    assert "every page under 150 ms at p95" in text

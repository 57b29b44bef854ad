"""The manuals' charts drawn ahead, on cores the diagrams leave idle (`qms build`).

A national build draws some 1,500 matplotlib charts twice (SVG for the portal, PNG for the
Word files), about 0.03 s of CPU each (session 10), after Graphviz has drawn the diagrams;
while Graphviz runs, a core is idle about a third of the time (the command's own serial
steps, the last batches). So `qms build` starts these charts first, on worker processes of
the fork server (small fresh interpreters, not forks of the command and its model), where
they fill the cores the diagrams leave idle; the portal and the DOCX then find them drawn
(qms.charts keeps them by everything they are drawn from, so each is the very bytes it would
have been). The workers run at the command's own priority: at a lower one a busy machine
would starve them and the portal would wait for them. If a worker fails, the charts are
drawn when asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from qms import charts
from qms.export.assessment import AssessmentReport, MaturityView, Trend, maturity
from qms.export.manual import Charted, Manual

Item = AssessmentReport | Trend | MaturityView
Work = list[tuple[Item, tuple[charts.Format, ...]]]
"""Charts to draw: each item with the formats it is shown in."""

MIN_CHARTS = 16
"""Fewer charts than this are drawn when asked: starting the workers would cost more."""


def work(manuals: Sequence[Manual | Charted], views: Sequence[MaturityView] | None = None) -> Work:
    """Every chart of the portal (SVG) and of the Word files (PNG) of these manuals (`views`:
    their maturity views, when already made). The one list of what the manuals chart, for
    drawing ahead here and on the portal's workers (qms.export.html)."""
    both: tuple[charts.Format, ...] = ("svg", "png")
    found: Work = []
    for m in manuals:
        found += [(r, both) for r in m.assessments]
        found += [(t, both) for t in m.trends if t.plotted]
    if views is None:
        views = maturity([(m.short, m.assessments) for m in manuals])
    found += [(v, ("svg",)) for v in views]  # the portal's maturity page only
    return found


def draw_ahead(manuals: Sequence[Manual | Charted], processes: int) -> bool:
    """Start drawing the manuals' charts on `processes` workers; True if
    started (then qms.charts waits for them when a chart is first asked)."""
    from qms.render.pool import MIN_FLOWS, server, workers

    todo = work(manuals)
    count = workers(processes, MIN_FLOWS) if len(todo) >= MIN_CHARTS else 0
    if not count:
        return False
    size = max(1, -(-len(todo) // (count * 4)))
    pool = ProcessPoolExecutor(count, mp_context=server())
    try:
        futures = [pool.submit(_draw, todo[i : i + size]) for i in range(0, len(todo), size)]
    finally:
        pool.shutdown(wait=False)  # runs what was submitted, then the workers exit
    charts.keep_later(lambda: _gather(futures))
    return True


def _gather(futures: Sequence[Future[dict[str, bytes]]]) -> dict[str, bytes]:
    drawn: dict[str, bytes] = {}
    for future in futures:
        drawn.update(future.result())
    return drawn


def _draw(chunk: Work) -> dict[str, bytes]:
    """Draw a chunk of charts in a worker and send back what was drawn: each chart's formats
    saved from one figure, built and filled once."""
    drawn = charts.record()
    for item, formats in chunk:
        item.chart(formats[0], also=formats[1:])
    return drawn

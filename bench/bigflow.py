"""Layout time against the number of steps of one process (issue 15 item 7).

`python -m bench.bigflow [--sizes 250,500,1000,2000] [--profile N]`: a synthetic process of N
steps in 6 lanes (tasks, a decision every 7 steps with a loop back, subprocesses), laid out as
`qms render` lays it out (dot's first pass, folded swimlanes, DOT text) and as BPMN export does
(unfolded). Prints one Markdown table line per size; seconds are wall-clock on this machine,
and the CPU seconds of the whole (this process and Graphviz), which a busy machine does not
inflate: on a shared machine the wall clock measures the neighbours as much as the layout.
"""

from __future__ import annotations

import argparse
import resource
import time

from qms.views import FlowEdge, FlowView, Lane, StepView

LANES = 6


def big_view(n: int) -> FlowView:
    """A process of `n` steps (n >= 3): start, a chain with decisions and loops, end."""
    lanes = tuple(Lane(f"r{i}", f"Rooli {i}") for i in range(LANES))
    steps = [StepView("s0", "start", "Alku", "r0")]
    edges: list[FlowEdge] = []
    for i in range(1, n - 1):
        kind = "decision" if i % 7 == 0 else "subprocess" if i % 11 == 0 else "task"
        lane = f"r{(i * 5 // 3) % LANES}"
        steps.append(StepView(f"s{i}", kind, f"Vaihe {i} tehdään tässä", lane))
    steps.append(StepView(f"s{n - 1}", "end", "Loppu", "r0"))
    for i in range(n - 1):
        if steps[i].kind == "decision":
            edges.append(FlowEdge(f"s{i}", f"s{i + 1}", "kyllä"))
            edges.append(FlowEdge(f"s{i}", f"s{max(1, i - 3)}", "ei"))
        else:
            edges.append(FlowEdge(f"s{i}", f"s{i + 1}"))
    return FlowView(
        "org", f"big-{n}", f"Iso prosessi {n}", "", "", "draft", lanes, tuple(steps), tuple(edges)
    )


def measure(n: int) -> dict[str, float]:
    from qms.render.dot import order_source, process_flow
    from qms.render.layout import check_size, compute, ranks_from_json, run_dot_json

    view = big_view(n)

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0 = cpu()
    t0 = time.perf_counter()
    check_size(view)  # as `qms render` does: a process beyond the limit is refused first
    source = order_source(view)
    first = run_dot_json(source)
    t1 = time.perf_counter()
    ranks = ranks_from_json(first)
    folded = compute(view, ranks)
    process_flow(view, folded)
    t2 = time.perf_counter()
    compute(view, ranks, fold=False)
    t3 = time.perf_counter()
    return {
        "steps": n,
        "dot": t1 - t0,
        "folded": t2 - t1,
        "unfolded": t3 - t2,
        "total": t3 - t0,
        "cpu": cpu() - c0,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bigflow", description=__doc__)
    p.add_argument("--sizes", default="250,500,1000,2000,5000,20000")
    p.add_argument("--profile", type=int, default=0, help="profile one size with pyinstrument")
    args = p.parse_args(argv)
    if args.profile:
        from pyinstrument import Profiler

        with Profiler() as prof:
            measure(args.profile)
        print(prof.output_text(color=False, show_all=False))
        return 0
    print(
        "| steps | dot first pass (s) | folded layout + DOT (s) | unfolded (BPMN) (s) | total (s) "
        "| CPU, all processes (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    from qms.render.layout import MAX_STEPS, TooManySteps

    for n in (int(v) for v in args.sizes.split(",")):
        if n > MAX_STEPS:
            t0 = time.perf_counter()
            try:
                measure(n)
            except TooManySteps as err:
                took = time.perf_counter() - t0
                print(f"| {n:,} | refused in {took:.2f} s: {err} | | | | |", flush=True)
                continue
            raise SystemExit(f"{n} steps were not refused")
        m = measure(n)
        cells = [m[k] for k in ("dot", "folded", "unfolded", "total", "cpu")]
        print(f"| {n:,} | " + " | ".join(f"{v:.2f}" for v in cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

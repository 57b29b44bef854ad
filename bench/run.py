"""`make bench`: time the commands users run against floors measured in the same run.

Every timed figure is a `qms` command run as a child process, as a user or CI runs it
(`qms validate`, `qms render`, `qms build`, `qms export --format html`), with its wall time,
CPU time and peak memory (bench/measure.py), or a `qms serve` rebuild after one edit
(bench/_child.py). The floors are scripts written apart from qms (bench/floors.py): reading
and parsing every file with libyaml, and the same Graphviz runs one after the other.
A command and its floor run in interleaved pairs, so that other load on the machine
disturbs both alike; every figure is reported as the median of its runs with their spread.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.generate import generate, sizes_for
from bench.imports import SHAPES, bpmn_file
from bench.measure import timed

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUTPUT = HERE / "results.md"
FIXES = HERE / "fixes.md"
NATIONAL = 9000
WARM = 1000
STEPS = 15
QUICK = (16, 16, 10)
EDIT_RUNS = 7
"""Runs of each kind of one-file edit at least (a third of a second each nationally): the
slowest kind's median is item 3's numerator, and over three runs one slow run moved it by
5 % (session 13: 0.279, 0.322, 0.298 s)."""

VALIDATE_PAIRS = 5
"""Interleaved pairs of bare parse and cold validate at least: item 3's denominator too (three
cold runs spread 5.88-6.34 s in session 13)."""

RENDER_PAIRS = 2
"""National cold renders, each run right after one part of the serial Graphviz floor (bench/
floors.py `dot RECORD K/N`): a render and the floor it is divided by see the same machine."""
SVG = ("--format", "svg")
"""`qms render` draws what the floor draws (bench/_child.py record: SVG): its default also
writes PNG (and the DOT text), which would time cairo's rasterising against an SVG floor."""
"""--quick: national and warm workspaces of 16 processes of 10 steps."""


@dataclass
class Row:
    """One line of the targets table: the median, the runs' spread, the target."""

    what: str
    values: list[float]
    unit: str
    target: float | None
    detail: str
    worst: bool = False
    """Judge the largest value, not the median: a target that every run must meet ("any
    one-file edit")."""

    @property
    def value(self) -> float:
        return max(self.values) if self.worst else statistics.median(self.values)

    @property
    def ok(self) -> bool:
        return self.target is None or self.value <= self.target

    @property
    def spread(self) -> str:
        if self.worst:
            return f"{min(self.values):.3f}-{max(self.values):.3f} ({len(self.values)} kinds)"
        if len(self.values) < 2:
            return "1 run"
        return f"{min(self.values):.3f}-{max(self.values):.3f} ({len(self.values)} runs)"


CACHE: Path | None = None
"""The user cache the measured commands use (QMS_CACHE_DIR), inside the work folder."""


def cold() -> None:
    """Empty the user cache (documents, kept validation), so the next command starts cold."""
    if CACHE is not None:
        shutil.rmtree(CACHE, ignore_errors=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if CACHE is not None:
        env["QMS_CACHE_DIR"] = str(CACHE)
    env.pop("QMS_CACHE", None)
    # An installed qms runs from compiled bytecode; a machine that forbids writing it would
    # time Python compiling qms's sources on every command instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["QMS_LANG"] = "fi"
    return env


LOG: Path | None = None
"""runs.jsonl in the work folder: every measurement as it is made, so that a run stopped
half-way still leaves its figures."""


def _logged(what: list[str], got: dict[str, Any]) -> dict[str, Any]:
    if LOG is not None:
        with LOG.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"at": time.strftime("%H:%M:%S"), "what": what, **got}) + "\n")
    return got


def qms(*args: str, ok: Sequence[int] = (0,)) -> dict[str, Any]:
    """Run one `qms` command as a child process and measure it (bench/measure.py)."""
    exe = Path(sys.executable).with_name("qms")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "qms"]
    return _logged(["qms", *args], timed([*command, *args], cwd=REPO, env=_env(), ok=ok))


def floor(kind: str, path: Path, *part: str) -> dict[str, Any]:
    """One floor (bench/floors.py, or one part of it) in a fresh interpreter."""
    command = [sys.executable, "-m", "bench.floors", kind, str(path), *part]
    return _logged(["floor", kind, str(path), *part], _json_child(command))


def child(*args: str) -> dict[str, Any]:
    """One library-level step (bench/_child.py) in a fresh interpreter."""
    return _logged(["child", *args], _json_child([sys.executable, "-m", "bench._child", *args]))


def _json_child(command: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, check=False, env=_env()
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:4])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    from qms.render.graphviz import version

    graphviz = version() or "not installed"
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count() or 1
    return {
        "CPU": cpu,
        "Cores available": str(affinity),
        "Memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Graphviz": graphviz,
        "Date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _load() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


# --- edits a user makes ----------------------------------------------------------------------


def _process(root: Path, n: int) -> Path:
    return sorted((root / "organisations").glob("*/processes/*.yaml"))[n]


def edit_wording(root: Path, n: int) -> Path:
    """Reword one step's name in one process (a new wording each time)."""
    path = _process(root, 0)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(" alkaa", f" alkaa (muokattu {n})", 1), encoding="utf-8")
    return path


def edit_structure(root: Path, n: int) -> Path:
    """Add a resource to one process: an edit beyond wording (a new resource each time)."""
    path = _process(root, 1)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("resources: [", f'resources: ["Tila {n}", ', 1), "utf-8")
    return path


def edit_role(root: Path, n: int) -> Path:
    """Give the second step of one process another role of the same process (the n-th of
    the others in turn): an edit that `workspace` rules read and that leaves the workspace
    clean."""
    path = _process(root, 2)
    text = path.read_text(encoding="utf-8")
    roles = sorted(set(re.findall(r"role: ([\w-]+)", text)))
    line = next(ln for ln in text.splitlines() if "{id: v01," in ln)
    current = re.search(r"role: ([\w-]+)", line)
    others = [r for r in roles if current is None or r != current.group(1)]
    edited = re.sub(r"role: [\w-]+", f"role: {others[n % len(others)]}", line, count=1)
    path.write_text(text.replace(line, edited, 1), encoding="utf-8")
    return path


EDITS: dict[str, Callable[[Path, int], Path]] = {
    "wording": edit_wording,
    "structure": edit_structure,
    "role": edit_role,
}
"""The one-file edits timed after a cold run: a rewording (only the wording rules run on the
file), a resource added (every file rule on the file, no workspace rule reads it) and a
step's role changed (a field `workspace` rules read)."""

EDIT_WORDS = {"wording": "wording", "structure": "structural", "role": "role"}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _med(runs: Sequence[dict[str, Any]], field: str = "seconds") -> float:
    return statistics.median(float(r[field]) for r in runs)


def _fmt(runs: Sequence[dict[str, Any]]) -> str:
    """`median s (min-max)` of a list of runs."""
    secs = [float(r["seconds"]) for r in runs]
    if len(secs) == 1:
        return f"{secs[0]:.2f} s"
    return f"{statistics.median(secs):.2f} s ({min(secs):.2f}-{max(secs):.2f})"


def _kinds(runs: dict[str, list[dict[str, Any]]], per: float = 1.0) -> list[float]:
    """The median of each kind of edit (divided by `per`, the cold run, for a ratio)."""
    return [_med(runs[kind]) / per for kind in EDITS if runs.get(kind)]


def _each(runs: dict[str, list[dict[str, Any]]]) -> str:
    """Each kind of edit's wall time with its spread and CPU, and the run with nothing changed."""
    kinds = [k for k in (*EDITS, "nothing") if runs.get(k)]
    return "; ".join(
        f"{EDIT_WORDS.get(k, 'nothing changed')} {_fmt(runs[k])} (CPU {_med(runs[k], 'cpu'):.2f} s)"
        for k in kinds
    )


def _cpu_ratio(runs: Sequence[dict[str, Any]], floors: Sequence[dict[str, Any]]) -> str:
    """The CPU-time ratio of paired runs (less disturbed by a busy machine than wall time)."""
    ratios = [r["cpu"] / f["cpu"] for r, f in zip(runs, floors, strict=True)]
    return f"{statistics.median(ratios):.2f} x ({min(ratios):.2f}-{max(ratios):.2f})"


# --- the measurements ------------------------------------------------------------------------


def validate_pairs(root: Path, repeat: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(floors, cold validates), run in interleaved pairs."""
    floors, vals = [], []
    for _ in range(repeat):
        floors.append(floor("yaml", root))
        cold()
        vals.append(qms("validate", str(root), "--quiet"))
    return floors, vals


def after_edits(root: Path, repeat: int, *command: str) -> dict[str, list[dict[str, Any]]]:
    """A command after each kind of edit, `repeat` times each (after one warm-up run)."""
    qms(*command)
    runs: dict[str, list[dict[str, Any]]] = {"nothing": [qms(*command) for _ in range(repeat)]}
    for kind, edit in EDITS.items():
        runs[kind] = []
        for n in range(repeat):
            edit(root, n + 1)
            runs[kind].append(qms(*command))
    return runs


def run(args: argparse.Namespace) -> str:
    """Every measurement; returns the Markdown report."""
    global CACHE, LOG
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    CACHE = work / "cache"
    LOG = work / "runs.jsonl"
    n_national, n_warm, steps = QUICK if args.quick else (args.processes, args.warm, STEPS)
    repeat = 1 if args.quick else args.repeat
    edits = 1 if args.quick else max(repeat, EDIT_RUNS)
    pairs = 1 if args.quick else max(repeat, VALIDATE_PAIRS)
    load_before = _load()
    started = time.perf_counter()

    # -- the 1,000-process workspace: cold validate, and the fixed cost after one edit
    warm = work / "warm"
    w_prov, w_per = sizes_for(n_warm)
    log(f"warm workspace: {w_prov} x {w_per} x {steps}")
    generate(warm, w_prov, w_per, steps, seed=args.seed)
    w_floors, w_vals = validate_pairs(warm, pairs)
    w_edit_val = after_edits(warm, edits, "validate", str(warm), "--quiet")
    w_out = work / "warm-out"
    cold()
    w_render = qms("render", str(warm), "-o", str(w_out), *SVG)
    w_edit_render = after_edits(warm, edits, "render", str(warm), "-o", str(w_out), *SVG)
    log("serve: rebuild after one edit")
    served = child("serve", str(warm))
    w_serve = served["runs"]

    # -- the national workspace
    national = work / "national"
    providers, per = sizes_for(n_national)
    log(f"national workspace: {providers} x {per} x {steps}")
    t0 = time.perf_counter()
    files = generate(national, providers, per, steps, seed=args.seed)
    generated = time.perf_counter() - t0
    if providers * per == w_prov * w_per:  # one size (--processes = --warm): measured above
        floors, vals, edit_val = w_floors, w_vals, w_edit_val
    else:
        log("validate vs bare libyaml, interleaved")
        floors, vals = validate_pairs(national, pairs)
        log("validate after one edit")
        edit_val = after_edits(national, edits, "validate", str(national), "--quiet")
    if vals and any(v["exit"] for v in vals):
        raise RuntimeError("the generated workspace has findings")

    log("render vs serial Graphviz, interleaved")
    out = work / "render-out"
    record = work / "render-dot"
    shutil.rmtree(record, ignore_errors=True)
    recorded = child("record", str(national), str(record))
    renders, dot_parts = [], []
    for part in range(1, RENDER_PAIRS + 1):  # floor part, render, floor part, render
        dot_parts.append(floor("dot", record, f"{part}/{RENDER_PAIRS}"))
        shutil.rmtree(out, ignore_errors=True)
        cold()
        renders.append(qms("render", str(national), "-o", str(out), *SVG))
    shutil.rmtree(record, ignore_errors=True)
    bare_dot = {
        "seconds": sum(d["seconds"] for d in dot_parts),
        "cpu": sum(d["cpu"] for d in dot_parts),
        "graphviz_runs": sum(d["graphviz_runs"] for d in dot_parts),
        "peak_kb": max(d["peak_kb"] for d in dot_parts),
    }
    log("render after one edit")
    edit_render = {}
    for kind, edit in EDITS.items():
        edit(national, 100)
        edit_render[kind] = [qms("render", str(national), "-o", str(out), *SVG)]

    # Item 6: a build, the portal, a render in the build's formats, a build again. The two
    # builds' mean is taken at the same moment, on average, as the two commands it is
    # compared with: a machine that slows down (or speeds up) evenly over the twenty minutes
    # weighs on both sides alike, where one build timed last carried all of it.
    build_out = work / "build-out"

    def cold_build() -> tuple[dict[str, Any], int]:
        log("build (diagrams, portal, DOCX), cold")
        cold()
        shutil.rmtree(build_out, ignore_errors=True)
        got = qms("build", str(national), "-o", str(build_out))
        count = len(list(build_out.rglob("*.docx")))
        shutil.rmtree(build_out, ignore_errors=True)
        return got, count

    builds = [cold_build()[0]] if not args.quick else []
    log("export --format html (the portal), cold")
    cold()
    html_out = work / "html-out"
    shutil.rmtree(html_out, ignore_errors=True)
    html = qms("export", str(national), "--format", "html", "-o", str(html_out))
    shutil.rmtree(html_out, ignore_errors=True)
    log("render in the build's formats (svg, png, dot), cold")
    cold()
    shutil.rmtree(out, ignore_errors=True)
    render_all = qms("render", str(national), "-o", str(out))
    shutil.rmtree(out, ignore_errors=True)
    last, docx = cold_build()
    builds.append(last)
    build = {
        "seconds": statistics.mean(b["seconds"] for b in builds),
        "cpu": statistics.mean(b["cpu"] for b in builds),
        "tree_peak_kb": max(b["tree_peak_kb"] for b in builds),
    }

    log("qms --help start-up")
    helps = [qms("--help") for _ in range(1 if args.quick else 11)]

    log("scaling table")
    scaling: list[dict[str, Any]] = []
    for size in args.sizes:
        s_prov, s_per = sizes_for(size)
        if s_prov * s_per == providers * per:
            got = vals
        elif s_prov * s_per == w_prov * w_per:
            got = w_vals
        else:
            root = work / f"scale-{size}"
            generate(root, s_prov, s_per, steps, seed=args.seed)
            got = []
            for _ in range(repeat):
                cold()
                got.append(qms("validate", str(root), "--quiet"))
            shutil.rmtree(root, ignore_errors=True)
        scaling.append({"processes": s_prov * s_per, "runs": got})

    log("BPMN import scaling")
    imports: list[dict[str, Any]] = []
    for shape in SHAPES:
        for size in args.import_sizes:
            source = bpmn_file(work / f"import-{shape}-{size}.bpmn", size, shape)
            got1 = child("import-bpmn", str(source), str(work / f"import-{shape}-{size}"))
            imports.append({"shape": shape, "tasks": size, **got1})

    cores = machine()["Cores available"]
    cold_val = _med(vals)
    cold_render = _med(renders)
    render_cpu = _med(renders, "cpu")
    # each render against the floor part run just before it, scaled to the whole floor
    parts = zip(renders, dot_parts, strict=True)
    render_pairs = [r["seconds"] / (d["seconds"] * RENDER_PAIRS) for r, d in parts]
    pair = [v["seconds"] / f["seconds"] for v, f in zip(vals, floors, strict=True)]
    w_pair = [v["seconds"] / f["seconds"] for v, f in zip(w_vals, w_floors, strict=True)]
    n_text = f"{providers * per:,}"
    w_text = f"{w_prov * w_per:,}"
    rows = [
        Row(
            f"cold `qms validate` / bare libyaml parse, {n_text} processes",
            pair,
            "x",
            1.2,
            f"{_fmt(vals)} / {_fmt(floors)}, {floors[0]['files']:,} files; interleaved pairs; "
            f"CPU {_cpu_ratio(vals, floors)}",
        ),
        Row(
            f"cold `qms validate` / bare libyaml parse, {w_text} processes",
            w_pair,
            "x",
            1.5,
            f"{_fmt(w_vals)} / {_fmt(w_floors)}, {w_floors[0]['files']:,} files; "
            f"CPU {_cpu_ratio(w_vals, w_floors)}",
        ),
        Row(
            f"cold `qms render` / serial Graphviz ({cores} cores)",
            render_pairs,
            "x",
            0.35,
            f"{_fmt(renders)} (CPU {render_cpu:.0f} s) / {bare_dot['seconds']:.1f} s ("
            f"{' + '.join(format(d['seconds'], '.1f') for d in dot_parts)} s in {RENDER_PAIRS} "
            f"parts, each run just before one render); {recorded['diagrams']:,} diagrams, "
            f"{bare_dot['graphviz_runs']:,} Graphviz runs",
        ),
        Row(
            "peak memory of `qms render`, the process and its workers",
            [r["tree_peak_kb"] / 1024 / 1024 for r in renders],
            "GiB",
            1.0,
            f"largest single process {max(r['peak_kb'] for r in renders) / 1024 / 1024:.2f} GiB",
        ),
        Row(
            f"`qms validate` after any one-file edit / cold, {n_text} processes (the slowest "
            "kind of edit)",
            _kinds(edit_val, cold_val),
            "x",
            0.05,
            f"{_each(edit_val)} / cold {cold_val:.2f} s",
            worst=True,
        ),
        Row(
            f"`qms validate` after any one-file edit, {w_text} processes (the slowest kind)",
            _kinds(w_edit_val),
            "s",
            0.25,
            _each(w_edit_val),
            worst=True,
        ),
        Row(
            f"`qms render` after any one-file edit, {w_text} processes (the slowest kind)",
            _kinds(w_edit_render),
            "s",
            0.4,
            f"{_each(w_edit_render)}; cold {w_render['seconds']:.1f} s",
            worst=True,
        ),
        Row(
            f"`qms render` after any one-file edit / cold, {n_text} processes (the slowest kind)",
            _kinds(edit_render, cold_render),
            "x",
            0.05,
            f"{_each(edit_render)} / cold {cold_render:.1f} s",
            worst=True,
        ),
        Row(
            f"cold `qms build` / (cold `qms render` + cold `qms export --format html`), "
            f"{n_text} processes",
            [b["seconds"] / (cold_render + html["seconds"]) for b in builds],
            "x",
            None,
            f"{_fmt(builds)} (CPU {build['cpu']:.0f} s, {docx} DOCX) / "
            f"({cold_render:.1f} s + {html['seconds']:.1f} s); no target: the build also writes "
            "PNG, which this render does not (the next row, docs/performance.md)",
        ),
        Row(
            f"cold `qms build` / (cold `qms render` in the build's formats svg, png, dot + cold "
            f"`qms export --format html`), {n_text} processes (item 6's target, justified in "
            "docs/performance.md)",
            [b["seconds"] / (render_all["seconds"] + html["seconds"]) for b in builds],
            "x",
            args.build_target,
            f"{_fmt(builds)} (CPU {build['cpu']:.0f} s) / ({render_all['seconds']:.1f} s "
            f"(CPU {render_all['cpu']:.0f} s) + {html['seconds']:.1f} s "
            f"(CPU {html['cpu']:.0f} s)); one build before the two commands and one after them",
        ),
        Row(
            f"peak memory of cold `qms validate`, {n_text} processes",
            [v["peak_kb"] / 1024 / 1024 for v in vals],
            "GiB",
            2.0,
            f"build: {build['tree_peak_kb'] / 1024 / 1024:.2f} GiB; export html: "
            f"{html['tree_peak_kb'] / 1024 / 1024:.2f} GiB",
        ),
        Row("`qms --help` start-up", [h["seconds"] for h in helps], "s", 0.15, "fresh process"),
    ]
    if len(scaling) >= 2:
        small, large = scaling[-2], scaling[-1]
        per_small = _med(small["runs"]) / small["processes"]
        per_large = _med(large["runs"]) / large["processes"]
        rows.append(
            Row(
                f"validate time per process at {large['processes']:,} / at "
                f"{small['processes']:,} processes",
                [per_large / per_small],
                "x",
                1.25,
                f"{per_large * 1000:.2f} ms / {per_small * 1000:.2f} ms per process (medians)",
            )
        )

    def edits(what: str, root: Path, runs: dict[str, list[dict[str, Any]]]) -> list[Any]:
        return [(f"{what} after a {EDIT_WORDS[k]} edit", root, runs[k]) for k in EDITS]

    national_rows: list[Any] = []
    if providers * per != w_prov * w_per:  # one size: measured once, above
        national_rows = [
            ("`qms validate` cold", national, vals),
            ("bare libyaml parse (bench/floors.py yaml)", national, floors),
            *edits("`qms validate`", national, edit_val),
            ("`qms validate`, nothing changed", national, edit_val["nothing"]),
        ]
    commands = [
        *national_rows,
        ("`qms render` cold", national, renders),
        ("serial Graphviz (bench/floors.py dot)", national, [bare_dot]),
        *edits("`qms render`", national, edit_render),
        ("`qms export --format html` cold", national, [html]),
        ("`qms render` cold, svg, png and dot", national, [render_all]),
        ("`qms build` cold (before the portal and after the render)", national, builds),
        ("`qms validate` cold", warm, w_vals),
        ("bare libyaml parse (bench/floors.py yaml)", warm, w_floors),
        *edits("`qms validate`", warm, w_edit_val),
        ("`qms validate`, nothing changed", warm, w_edit_val["nothing"]),
        ("`qms render` cold", warm, [w_render]),
        *edits("`qms render`", warm, w_edit_render),
        ("`qms render`, nothing changed", warm, w_edit_render["nothing"]),
        ("`qms serve` rebuild after one edit (wording, structural, role)", warm, w_serve),
    ]
    sizes = {national: n_text, warm: w_text}
    info = machine()
    info["Load average (1/5/15 min) before / after"] = f"{load_before}; {_load()}"
    info["Bench wall time"] = f"{(time.perf_counter() - started) / 60:.1f} min"
    raw = {
        "workspace": f"{providers} providers x {per} processes x {steps} steps = "
        f"{providers * per:,} processes, {providers * per * steps:,} steps, {len(files):,} "
        f"files (generated in {generated:.1f} s, seed {args.seed}); the warm workspace "
        f"{w_prov} x {w_per} x {steps}",
        "quick": args.quick,
        "repeat": repeat,
        "commands": {f"{what} ({sizes[root]})": runs for what, root, runs in commands},
        "serve_first_build": served["first"],
        "record": recorded,
    }
    table = [(what, sizes[root], runs) for what, root, runs in commands]
    return report(info, rows, table, scaling, imports, raw)


def report(
    info: dict[str, str],
    rows: list[Row],
    commands: list[tuple[str, str, list[dict[str, Any]]]],
    scaling: list[dict[str, Any]],
    imports: list[dict[str, Any]],
    raw: dict[str, Any],
) -> str:
    """The Markdown of bench/results.md."""
    out = ["# qms benchmark results", ""]
    out += [
        "Written by `make bench` (`python -m bench`); do not edit by hand except the fixes section "
        "in `bench/fixes.md`. Every timed figure is a `qms` command run as a child process, as a "
        "user runs it; ratios compare it with a floor (bench/floors.py) measured in the same run "
        "on the same machine. Figures are medians, with the spread (min-max) of the runs; see "
        "docs/performance.md.",
        "",
    ]
    if raw["quick"]:
        out += ["**Quick run** (tiny workspaces): the numbers only show that the bench works.", ""]
    out += ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += ["", f"Workspace: {raw['workspace']}.", ""]
    out += [
        "## Targets",
        "",
        "| Measure | Median | Spread | Target | | Detail |",
        "|---|---:|---|---:|---|---|",
    ]
    for r in rows:
        mark = "info" if r.target is None else "pass" if r.ok else "**FAIL**"
        target = "-" if r.target is None else f"<= {r.target} {r.unit}"
        out.append(
            f"| {r.what} | {r.value:.3f} {r.unit} | {r.spread} | {target} | {mark} | {r.detail} |"
        )
    out += ["", "## Commands", ""]
    out += [
        "Each a child process: wall time (median and min-max of the runs), CPU time of the "
        "process and every child it waited for (Graphviz included), peak resident memory of "
        "the largest single process and of the process tree (the sum of each process's "
        "proportional set size, sampled every 50 ms, or less often where a sample would take "
        "more than 2.5 % of a core from the command: bench/measure.py).",
        "",
        "| Command | Processes | Runs | Wall (s) | CPU (s) | Peak MiB | Tree peak MiB |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for what, size, runs in commands:
        secs = [float(r["seconds"]) for r in runs]
        wall = f"{statistics.median(secs):.2f}"
        if len(secs) > 1:
            wall += f" ({min(secs):.2f}-{max(secs):.2f})"
        cpu = _med(runs, "cpu")
        peak = max(float(r["peak_kb"]) for r in runs) / 1024
        tree = max(float(r.get("tree_peak_kb", r["peak_kb"])) for r in runs) / 1024
        out.append(
            f"| {what} | {size} | {len(runs)} | {wall} | {cpu:.2f} | {peak:.0f} | {tree:.0f} |"
        )
    out += ["", "## Scaling", ""]
    out += [
        "Cold `qms validate` (median of the runs).",
        "",
        "| Processes | Runs | validate (s) | CPU (s) | ms per process | peak MiB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scaling:
        runs = s["runs"]
        med = _med(runs)
        out.append(
            f"| {s['processes']:,} | {len(runs)} | {med:.2f} | {_med(runs, 'cpu'):.2f} "
            f"| {med / s['processes'] * 1000:.2f} "
            f"| {max(r['peak_kb'] for r in runs) / 1024:.0f} |"
        )
    out += [""]
    if imports:
        out += ["## BPMN import scaling", ""]
        out += [
            "`qms import bpmn` of one generated file (bench/imports.py) through the library, in "
            "a fresh interpreter: `loose` is n tasks without flows, `chain` n tasks in a row. "
            "Before issue 15, 2,000 loose tasks took 20 s and 20,000 did not finish in 120 s.",
            "",
            "| Shape | Tasks | import (s) | ms per task | peak MiB |",
            "|---|---:|---:|---:|---:|",
        ]
        for i in imports:
            out.append(
                f"| {i['shape']} | {i['tasks']:,} | {i['seconds']:.2f} "
                f"| {i['seconds'] / i['tasks'] * 1000:.3f} | {i['peak_kb'] / 1024:.0f} |"
            )
        out += [""]
    if FIXES.exists():
        out += [FIXES.read_text(encoding="utf-8").rstrip(), ""]
    out += ["## Raw measurements", "", "```json"]
    out += [json.dumps({k: v for k, v in raw.items() if k != "workspace"}, indent=1)]
    out += ["```", ""]
    return "\n".join(out)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="tiny sizes: check that the bench works")
    p.add_argument(
        "--processes",
        type=int,
        default=NATIONAL,
        help="processes of the 'national' workspace (default 9000: 150 x 60 x 15)",
    )
    p.add_argument(
        "--warm",
        type=int,
        default=WARM,
        help="processes of the workspace for the after-one-edit fixed cost (default 1000)",
    )
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=None,
        help="process counts of the scaling table (default 10 100 1000 9000)",
    )
    p.add_argument(
        "--import-sizes",
        type=int,
        nargs="+",
        default=None,
        help="task counts of the BPMN import scaling table (default 2000 5000 20000)",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs of each repeated measurement")
    p.add_argument(
        "--build-target",
        type=float,
        default=1.0,
        help="target of build / (render + export html); see docs/performance.md",
    )
    p.add_argument("--seed", type=int, default=2012, help="seed of the generated workspaces")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to write the report")
    p.add_argument("--workdir", default=None, help="where to generate (default: a temp folder)")
    p.add_argument("--keep", action="store_true", help="keep the generated workspaces")
    args = p.parse_args(argv)
    if args.sizes is None:
        args.sizes = [10, 16] if args.quick else [10, 100, args.warm, args.processes]
    if args.import_sizes is None:
        args.import_sizes = [200] if args.quick else [2000, 5000, 20000]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the report."""
    args = parse(argv)
    keep = args.keep or args.workdir is not None
    if args.workdir is None:
        args.workdir = tempfile.mkdtemp(prefix="qms-bench-")
    try:
        text = run(args)
    finally:
        if not keep:
            shutil.rmtree(args.workdir, ignore_errors=True)
    Path(args.output).write_text(text, encoding="utf-8")
    log(f"wrote {args.output}")
    print(text)
    return 0

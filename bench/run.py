"""`make bench`: measure qms against machine-independent floors, side by side in one run.

Every figure is a ratio to something measured on the same machine in the same run (bare libyaml
over the same files, bare Graphviz over the same DOT texts, the cold run), or an absolute limit
that matters to users whatever the machine (memory, start-up). Each measurement runs in a fresh
interpreter (bench/_child.py) so that imports and peak memory are counted as a user sees them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.generate import generate, sizes_for
from bench.imports import SHAPES, bpmn_file

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUTPUT = HERE / "results.md"
FIXES = HERE / "fixes.md"
NATIONAL = (150, 60, 15)
QUICK = (2, 8, 10)


@dataclass
class Row:
    """One line of the ratio table."""

    what: str
    value: float
    unit: str
    target: float
    detail: str

    @property
    def ok(self) -> bool:
        return self.value <= self.target


CACHE: Path | None = None
"""The document cache the measured runs use (QMS_CACHE_DIR), inside the work folder."""


def cold() -> None:
    """Empty the document cache, so that the next run starts from nothing."""
    if CACHE is not None:
        shutil.rmtree(CACHE, ignore_errors=True)


def child(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON."""
    env = dict(os.environ)
    if CACHE is not None:
        env["QMS_CACHE_DIR"] = str(CACHE)
    proc = subprocess.run(
        [sys.executable, "-m", "bench._child", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated runs (the least disturbed by other load on the machine)."""
    return min(runs, key=lambda r: float(r["seconds"]))


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


def touch_one(root: Path) -> Path:
    """Change one step name in one process, as a user saving an edit would."""
    first = sorted((root / "organisations").glob("*/processes/*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace(" alkaa", " alkaa (muokattu)", 1), encoding="utf-8")
    return first


def touch_structure(root: Path) -> Path:
    """Add a resource to one process: an edit that changes more than wording (qms/incremental)."""
    first = sorted((root / "organisations").glob("*/processes/*.yaml"))[1]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("resources: [", 'resources: ["Tila", ', 1), encoding="utf-8")
    return first


def help_seconds(runs: int) -> float:
    """Median wall time of `qms --help` in fresh processes."""
    exe = Path(sys.executable).with_name("qms")
    command = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "qms", "--help"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=REPO)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> str:
    """Every measurement; returns the Markdown report."""
    global CACHE
    work = Path(args.workdir or tempfile.mkdtemp(prefix="qms-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    CACHE = work / "cache"
    providers, per, steps = QUICK if args.quick else NATIONAL
    repeat = 1 if args.quick else args.repeat
    national = work / "national"
    log(f"generating {providers} x {per} x {steps} in {national}")
    start = time.perf_counter()
    files = generate(national, providers, per, steps, seed=args.seed)
    generated = time.perf_counter() - start
    nproc = providers * per

    log("validate vs bare libyaml (alternating, best of each)")
    vals: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    for _ in range(repeat):
        bares.append(child("bare-yaml", str(national)))
        cold()
        vals.append(child("validate", str(national)))
    val, bare = best(vals), best(bares)
    if val["errors"]:
        raise RuntimeError(f"the generated workspace has {val['errors']} errors")

    log("re-validate after one file changed")
    touch_one(national)
    warm_val = child("validate", str(national))
    same_val = best([child("validate", str(national)) for _ in range(repeat)])
    touch_structure(national)
    struct_val = child("validate", str(national))

    log("render vs bare Graphviz")
    r_prov, r_per = (providers, per) if args.quick else sizes_for(args.render_processes)
    r_root = work / "render-ws"
    if (r_prov, r_per) == (providers, per):
        r_root = national
    else:
        generate(r_root, r_prov, r_per, steps, seed=args.seed)
    r_out, r_rec = work / "render-out", work / "render-dot"
    shutil.rmtree(r_out, ignore_errors=True)
    shutil.rmtree(r_rec, ignore_errors=True)
    cold()
    rend = child("render", str(r_root), str(r_out), str(r_rec))
    bare_dot = child("bare-dot", str(r_rec))
    touch_one(r_root)
    warm_rend = child("render", str(r_root), str(r_out), "")

    log("qms --help start-up")
    help_s = help_seconds(3 if args.quick else 11)

    log("BPMN import scaling")
    imports: list[dict[str, Any]] = []
    for shape in SHAPES:
        for size in args.import_sizes:
            source = bpmn_file(work / f"import-{shape}-{size}.bpmn", size, shape)
            got = child("import-bpmn", str(source), str(work / f"import-{shape}-{size}"))
            imports.append({"shape": shape, "tasks": size, **got})

    log("scaling table")
    scaling: list[dict[str, Any]] = []
    for size in args.sizes:
        s_prov, s_per = sizes_for(size)
        if (s_prov, s_per) == (providers, per):
            got = val
        else:
            root = work / f"scale-{size}"
            generate(root, s_prov, s_per, steps, seed=args.seed)
            runs = []
            for _ in range(repeat):
                cold()
                runs.append(child("validate", str(root)))
            got = best(runs)
            shutil.rmtree(root, ignore_errors=True)
        scaling.append({"processes": s_prov * s_per, "providers": s_prov, **got})

    cores = machine()["Cores available"]
    rows = [
        Row(
            "validate / bare libyaml parse of the same files",
            val["seconds"] / bare["seconds"],
            "x",
            1.5,
            f"{val['seconds']:.2f} s / {bare['seconds']:.2f} s, {val['files']} files",
        ),
        Row(
            f"render every diagram / bare Graphviz, serial ({cores} cores)",
            rend["seconds"] / bare_dot["seconds"],
            "x",
            0.6,
            f"{rend['seconds']:.1f} s / {bare_dot['seconds']:.1f} s, {rend['diagrams']} diagrams, "
            f"{bare_dot['graphviz_runs']} Graphviz runs, {r_prov * r_per} processes",
        ),
        Row(
            "re-validate after one file changed / cold",
            warm_val["seconds"] / val["seconds"],
            "x",
            0.05,
            f"{warm_val['seconds']:.2f} s / {val['seconds']:.2f} s ({warm_val['mode']}, "
            f"{warm_val['checked']} file re-checked); nothing changed: "
            f"{same_val['seconds']:.2f} s; a structural edit ({struct_val['mode']}, all files "
            f"re-checked): {struct_val['seconds']:.2f} s",
        ),
        Row(
            "re-render after one file changed / cold",
            warm_rend["seconds"] / rend["seconds"],
            "x",
            0.05,
            f"{warm_rend['seconds']:.2f} s / {rend['seconds']:.1f} s, "
            f"{warm_rend['graphviz_runs']} Graphviz runs",
        ),
        Row(
            "peak memory, validate of the national workspace",
            max(v["peak_kb"] for v in vals) / 1024 / 1024,
            "GiB",
            2.0,
            f"render: {rend['peak_kb'] / 1024 / 1024:.2f} GiB",
        ),
        Row("`qms --help` start-up (median)", help_s, "s", 0.15, "fresh process each run"),
    ]
    if len(scaling) >= 2:
        small, large = scaling[-2], scaling[-1]
        per_small = small["seconds"] / small["processes"]
        per_large = large["seconds"] / large["processes"]
        rows.append(
            Row(
                f"validate time per process at {large['processes']:,} / at "
                f"{small['processes']:,} processes",
                per_large / per_small,
                "x",
                1.25,
                f"{per_large * 1000:.2f} ms / {per_small * 1000:.2f} ms per process",
            )
        )
    for shape in SHAPES:
        runs = [i for i in imports if i["shape"] == shape]
        if len(runs) >= 2:
            small, large = runs[0], runs[-1]
            per_small = small["seconds"] / small["tasks"]
            per_large = large["seconds"] / large["tasks"]
            rows.append(
                Row(
                    f"BPMN import time per element at {large['tasks']:,} / at "
                    f"{small['tasks']:,} tasks ({shape})",
                    per_large / per_small,
                    "x",
                    1.5,
                    f"{large['seconds']:.2f} s / {small['seconds']:.2f} s",
                )
            )
    info = machine()
    return report(
        info,
        rows,
        scaling,
        imports,
        {
            "workspace": f"{providers} providers x {per} processes x {steps} steps = "
            f"{nproc:,} processes, {nproc * steps:,} steps, {len(files):,} files "
            f"(generated in {generated:.1f} s, seed {args.seed})",
            "validate": val,
            "bare_yaml": bare,
            "warm_validate": warm_val,
            "unchanged_validate": same_val,
            "structural_validate": struct_val,
            "render": rend,
            "bare_dot": bare_dot,
            "warm_render": warm_rend,
            "quick": args.quick,
            "repeat": repeat,
        },
    )


def report(
    info: dict[str, str],
    rows: list[Row],
    scaling: list[dict[str, Any]],
    imports: list[dict[str, Any]],
    raw: dict[str, Any],
) -> str:
    """The Markdown of bench/results.md."""
    out = ["# qms benchmark results", ""]
    out += [
        "Written by `make bench` (`python -m bench`); do not edit by hand except the fixes section "
        "in `bench/fixes.md`. Ratios compare qms with bare tools measured in the same run on the "
        "same machine, so they hold across machines; see docs/performance.md.",
        "",
    ]
    if raw["quick"]:
        out += ["**Quick run** (tiny workspace): the numbers only show that the bench works.", ""]
    out += ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += ["", f"Workspace: {raw['workspace']}.", ""]
    out += ["## Ratios", "", "| Measure | Result | Target | | Detail |", "|---|---:|---:|---|---|"]
    for r in rows:
        mark = "pass" if r.ok else "**FAIL**"
        out.append(
            f"| {r.what} | {r.value:.3f} {r.unit} | <= {r.target} {r.unit} | {mark} | {r.detail} |"
        )
    out += ["", "## Scaling", ""]
    out += [
        "| Processes | Providers | Files | validate (s) | load (s) | rules (s) "
        "| ms per process | peak MiB | findings |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scaling:
        out.append(
            f"| {s['processes']:,} | {s['providers']} | {s['files']:,} | {s['seconds']:.2f} "
            f"| {s['load']:.2f} | {s['lint']:.2f} | {s['seconds'] / s['processes'] * 1000:.2f} "
            f"| {s['peak_kb'] / 1024:.0f} | {s['findings']} |"
        )
    out += [
        "",
        "The validate time includes the interpreter's imports (about half a second), which "
        "dominate the smallest sizes; what matters is that the time per process does not grow "
        "from 1,000 to 9,000 processes.",
        "",
    ]
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
        "--sizes",
        type=int,
        nargs="+",
        default=None,
        help="process counts of the scaling table (default 10 100 1000 9000)",
    )
    p.add_argument(
        "--render-processes",
        type=int,
        default=9000,
        help="processes in the render measurement (default 9000: the national workspace, "
        "about 18,000 Graphviz runs; 1000 is ten times faster and gives the same ratio)",
    )
    p.add_argument(
        "--import-sizes",
        type=int,
        nargs="+",
        default=None,
        help="task counts of the BPMN import scaling table (default 2000 5000 20000)",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per validate measurement")
    p.add_argument("--seed", type=int, default=2012, help="seed of the generated workspaces")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to write the report")
    p.add_argument("--workdir", default=None, help="where to generate (default: a temp folder)")
    p.add_argument("--keep", action="store_true", help="keep the generated workspaces")
    args = p.parse_args(argv)
    if args.sizes is None:
        args.sizes = [10, 30] if args.quick else [10, 100, 1000, 9000]
    if args.import_sizes is None:
        args.import_sizes = [200, 1000] if args.quick else [2000, 5000, 20000]
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

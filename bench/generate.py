"""Deterministic synthetic workspaces of any size, realistic enough to exercise every rule.

A national network is about 150 providers x 60 processes x 15 steps. Each generated provider has
roles (lanes), a process map of main processes (level 2) with level-3 sub-processes called from
subprocess steps, decisions with labelled branches, loops back, hand-offs between processes
(also across providers), a quality plan covering plan/do/check/act, a metric set and reported
results, all in Finnish. The output validates with zero findings, so that a benchmark measures
the normal path (a clean network saved on every edit), not error reporting.
"""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

AS_OF = "2026-01-31"
PERIODS = (
    ("kevat-2024", "Kevät 2024", "Spring 2024", "2024-01-01", "2024-06-30"),
    ("syksy-2024", "Syksy 2024", "Autumn 2024", "2024-07-01", "2024-12-31"),
    ("kevat-2025", "Kevät 2025", "Spring 2025", "2025-01-01", "2025-06-30"),
    ("syksy-2025", "Syksy 2025", "Autumn 2025", "2025-07-01", "2025-12-31"),
)
GOALS = (
    ("G1", "Opiskelijapalaute ohjaa toiminnan kehittämistä"),
    ("G2", "Työelämäpalaute kerätään ja hyödynnetään järjestelmällisesti"),
    ("G3", "Laadunhallinta kattaa kaikki koulutusmuodot"),
    ("G4", "Prosessit on kuvattu yhtenäisellä mallilla"),
    ("G5", "Mittaristo tukee johtamista"),
    ("G6", "Itsearviointi toteutetaan vuosittain"),
    ("G7", "Henkilöstön osaaminen vastaa työelämän tarpeita"),
    ("G8", "Talous on tasapainossa ja ennustettava"),
    ("G9", "Toimintajärjestelmä on dokumentoitu ja ajantasainen"),
    ("G10", "Verkosto jakaa hyvät käytännöt"),
    ("G11", "Opiskelijoiden läpäisy paranee"),
    ("G12", "Aluevaikuttavuus on todennettu"),
)
PLACES = (
    "Pohjois",
    "Etelä",
    "Itä",
    "Länsi",
    "Keski",
    "Sisä",
    "Rannikko",
    "Järvi",
    "Tunturi",
    "Metsä",
    "Joki",
    "Saari",
    "Kangas",
    "Harju",
    "Suo",
    "Niemi",
    "Lahti",
    "Vaara",
    "Koski",
    "Salmi",
)
SUFFIXES = ("koulutuskuntayhtymä", "ammattiopisto", "ammattikoulu", "koulutussäätiö", "opisto")
ROLES = (
    ("johtaja", "Kuntayhtymän johtaja", "Chief executive"),
    ("johtoryhma", "Johtoryhmä", "Management team"),
    ("laatupaallikko", "Laatupäällikkö", "Quality manager"),
    ("koulutuspaallikko", "Koulutuspäällikkö", "Head of education"),
    ("opettaja", "Opettaja", "Teacher"),
    ("opinto-ohjaaja", "Opinto-ohjaaja", "Student counsellor"),
    ("talousjohtaja", "Talousjohtaja", "Finance director"),
    ("henkilostopaallikko", "Henkilöstöpäällikkö", "HR manager"),
    ("opintosihteeri", "Opintosihteeri", "Student affairs secretary"),
    ("tyoelamakoordinaattori", "Työelämäkoordinaattori", "Working-life coordinator"),
)
TOPICS = (
    ("opiskelijavalinta", "Opiskelijavalinta", "core"),
    ("henkilokohtaistaminen", "Henkilökohtaistaminen", "core"),
    ("opetus", "Opetuksen toteutus", "core"),
    ("tyossaoppiminen", "Työssäoppiminen", "core"),
    ("arviointi", "Osaamisen arviointi", "core"),
    ("ohjaus", "Opinto-ohjaus", "core"),
    ("strategia", "Strategiatyö", "management"),
    ("johtaminen", "Johtaminen ja päätöksenteko", "management"),
    ("laadunhallinta", "Laadunhallinta", "management"),
    ("talous", "Talousprosessi", "support"),
    ("henkilosto", "Henkilöstöhallinto", "support"),
    ("tietohallinto", "Tietohallinto", "support"),
    ("hankinnat", "Hankinnat", "support"),
    ("viestinta", "Viestintä", "support"),
    ("tilat", "Tilapalvelut", "support"),
)
VERBS = (
    "Valmistellaan",
    "Kootaan",
    "Käsitellään",
    "Arvioidaan",
    "Hyväksytään",
    "Tiedotetaan",
    "Kirjataan",
    "Seurataan",
    "Suunnitellaan",
    "Toteutetaan",
    "Tarkistetaan",
    "Raportoidaan",
)
OBJECTS = (
    "palautetiedot",
    "toimintasuunnitelma",
    "talousarvioesitys",
    "opiskelijan suunnitelma",
    "arviointiaineisto",
    "työpaikkaohjaajan palaute",
    "kehittämisehdotukset",
    "vuosikello",
    "tilastotiedot",
    "itsearviointiraportti",
    "hankintapäätös",
    "koulutustarjonta",
)
COMPONENT_EN = "Synthetic benchmark workspace"
REGISTER = 25
"""Documents in each provider's register of operating instructions (toimintaohjerekisteri)."""
PURPOSE = " toteutetaan suunnitellusti, ja sen tulokset ohjaavat kehittämistä."


def _text(fi: str, en: str) -> str:
    return "{fi: " + _q(fi) + ", en: " + _q(en) + "}"


def _q(value: str) -> str:
    """A YAML double-quoted scalar (safe for colons, commas and Finnish letters)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sizes_for(processes: int) -> tuple[int, int]:
    """(providers, processes per provider) for `processes` processes, at most 60 per provider:
    exact when some provider count divides it (10 -> 1 x 10, 100 -> 2 x 50, 9000 -> 150 x 60).
    """
    total = max(1, processes)
    first = math.ceil(total / 60)
    for providers in range(first, min(total, first * 2) + 1):
        if total % providers == 0:
            return providers, total // providers
    return first, math.ceil(total / first)


def generate(
    root: str | Path,
    providers: int = 150,
    processes_per_provider: int = 60,
    steps_per_process: int = 15,
    seed: int = 2012,
) -> list[str]:
    """Write a workspace at `root` (replacing it) and return its files, relative and sorted."""
    out = Path(root)
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    steps = max(6, min(20, steps_per_process))
    files: dict[str, str] = {}
    org_ids = [f"j{n:03d}" for n in range(1, providers + 1)]
    files["qms.yaml"] = (
        "kind: workspace\n"
        f"name: {_text('Kansallinen laatuverkosto (synteettinen)', COMPONENT_EN)}\n"
        "language: fi\nlanguages: [fi, en]\n"
        f"as_of: {AS_OF}\nrules:\n  extends: recommended\n"
    )
    files["project.yaml"] = _project(org_ids[0])
    plans_per_org = [_org_processes(rng, processes_per_provider) for _ in org_ids]
    for n, oid in enumerate(org_ids):
        prev = org_ids[n - 1] if n > 0 else None
        prev_last = plans_per_org[n - 1][-1][0] if n > 0 else None
        _provider(files, rng, n, oid, plans_per_org[n], steps, prev, prev_last)
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return sorted(files)


def _project(coordinator: str) -> str:
    lines = [
        "kind: project",
        "id: kansallinen",
        f"name: {_text('Kansallinen laatuverkosto', 'National quality network')}",
        "short: KLV",
        f"coordinator: {coordinator}",
        "start: 2024-01-01",
        "end: 2027-12-31",
        "periods:",
    ]
    for pid, fi, en, start, end in PERIODS:
        lines.append(f"  - {{id: {pid}, name: {_text(fi, en)}, start: {start}, end: {end}}}")
    lines.append("goals:")
    for gid, name in GOALS:
        lines += [
            f"  - id: {gid}",
            f"    name: {_q(name)}",
            f"    description: {_q(name + ' koko verkostossa vuoteen 2027 mennessä.')}",
        ]
    return "\n".join(lines) + "\n"


Plan = tuple[str, str, str, int, str | None, list[str]]
"""(id, name, type, level, parent, children) of one process to generate."""


def _org_processes(rng: random.Random, count: int) -> list[Plan]:
    """Main processes (at most 12, level 2) and level-3 sub-processes below them."""
    mains = min(count, 12, max(1, math.ceil(count / 5)))
    out: list[Plan] = []
    main_ids: list[str] = []
    for m in range(mains):
        pid, name, ptype = TOPICS[m % len(TOPICS)]
        pid = pid if m < len(TOPICS) else f"{pid}-{m}"
        main_ids.append(pid)
        out.append((pid, name, ptype, 2, None, []))
    for c in range(count - mains):
        m = c % mains
        parent = out[m]
        pid = f"{parent[0]}-{c // mains + 1}"
        obj = OBJECTS[rng.randrange(len(OBJECTS))]
        parent[5].append(pid)
        out.append((pid, f"{parent[1]}: {obj}", parent[2], 3, parent[0], []))
    return out


def _provider(
    files: dict[str, str],
    rng: random.Random,
    n: int,
    oid: str,
    processes: list[Plan],
    steps: int,
    prev_org: str | None,
    prev_last: str | None,
) -> None:
    base = f"organisations/{oid}"
    name = (
        f"{PLACES[n % len(PLACES)]}-{PLACES[(n // len(PLACES)) % len(PLACES)].lower()}n "
        + (SUFFIXES[n % len(SUFFIXES)])
    )
    goal_ids = [g for g, _ in GOALS]
    realized: dict[str, str] = {}  # process id -> goal id
    for i, proc in enumerate(processes):
        realized[proc[0]] = goal_ids[(i + n) % len(goal_ids)]
    metric_of: dict[str, str] = {}
    mains = [p for p in processes if p[3] == 2]
    for proc in processes:
        metric_of[proc[0]] = f"{(proc[4] or proc[0])}-onnistuminen"
    committed = sorted(set(realized.values()) | set(goal_ids[:4]), key=goal_ids.index)
    register = "\n".join(
        f"  - {{id: ohje-{d:02d}, name: {_q(f'{OBJECTS[d % len(OBJECTS)].capitalize()}: ohje')}, "
        f"version: '1.{d % 7}', owner: laatupaallikko}}"
        for d in range(1, REGISTER + 1)
    )
    roles = "\n".join(f"  - {{id: {rid}, name: {_text(fi, en)}}}" for rid, fi, en in ROLES)
    bands: dict[str, list[str]] = {"management": [], "core": [], "support": []}
    for proc in mains:
        bands[proc[2]].append(proc[0])
    band_lines = "".join(f"  {band}: [{', '.join(ids)}]\n" for band, ids in bands.items() if ids)
    files[f"{base}/organisation.yaml"] = (
        "kind: organisation\n"
        f"id: {oid}\n"
        f"name: {_q(name)}\n"
        f"short: {oid.upper()}\n"
        f"type: {'coordinator' if n == 0 else 'provider'}\n"
        f"description: {_q(f'Ammatillisen koulutuksen järjestäjä, verkoston jäsen {n + 1}.')}\n"
        f"subproject: {_q('Laatujärjestelmän kehittäminen ja prosessien kuvaaminen')}\n"
        f"roles:\n{roles}\n"
        f"commits_to: [{', '.join(committed)}]\n"
        f"process_map:\n{band_lines}"
        "  customers: [Opiskelijat, Työelämä]\n"
        f"documents:\n{register}\n"
        "quality_group:\n"
        "  - {role: laatupaallikko, task: Puheenjohtaja}\n"
        "  - {role: koulutuspaallikko, task: Jäsen}\n"
        "  - {role: opettaja, task: Sihteeri}\n"
    )
    for i, proc in enumerate(processes):
        prev = processes[i - 1][0] if i > 0 else None
        nxt = processes[i + 1][0] if i + 1 < len(processes) else None
        if prev is None and prev_org and prev_last:
            prev = f"{prev_org}/{prev_last}"
        files[f"{base}/processes/{proc[0]}.yaml"] = _process(
            rng, oid, proc, steps, prev, nxt, realized[proc[0]], metric_of[proc[0]]
        )
    files[f"{base}/plan.yaml"] = _plan(oid, mains, realized, metric_of, goal_ids)
    files[f"{base}/metrics.yaml"] = _metrics(rng, oid, mains, realized, goal_ids)
    files[f"{base}/results.yaml"] = _results(rng, oid, committed)


def _process(
    rng: random.Random,
    oid: str,
    proc: Plan,
    steps: int,
    prev: str | None,
    nxt: str | None,
    goal: str,
    metric: str,
) -> str:
    pid, name, ptype, level, parent, children = proc
    owner = ROLES[2 + (len(pid) % 6)][0]
    lanes = [owner, *(r[0] for r in rng.sample(ROLES[3:], 3))]
    lines = [
        "# yaml-language-server: $schema=../../../qms.schema.json",
        "kind: process",
        f"id: {pid}",
        f"organisation: {oid}",
        f"name: {_q(name)}",
        f"type: {ptype}",
        f"level: {level}",
    ]
    if parent:
        lines.append(f"parent: {parent}")
    lines += [
        f"owner: {owner}",
        f"purpose: {_q(name + PURPOSE)}",
        f"scope: {_q('Alkaa tarpeen tunnistamisesta ja päättyy tulosten arviointiin.')}",
        "customers: [Opiskelijat, Työelämä]",
        "suppliers: [Opetushallitus]",
        "inputs:",
        f"  - {{name: {_q('Lähtötiedot ja tarpeet')}, from: {prev or 'Opetushallitus'}}}",
        "outputs:",
        f"  - {{name: {_q('Käsitellyt tulokset')}, to: {nxt or 'Opiskelijat'}}}",
        f"resources: [{_q('Henkilöstö')}, {_q('Opiskelijahallintojärjestelmä')}]",
        f"realizes: [{goal}]",
        f"metrics: [{metric}]",
        "documents:",
        f"  - {{id: ohje, name: {_q(name + ': toimintaohje')}, version: '1.{rng.randrange(9)}'}}",
        "risks:",
        f"  - {{name: {_q('Aikataulu venyy')}, likelihood: medium, impact: medium, "
        f"mitigation: {_q('Vuosikello ja seuranta johtoryhmässä')}}}",
        f"review: {{method: {_q('Sisäinen auditointi')}, last: 2025-05-{10 + rng.randrange(18)}, "
        f"next: 2026-0{3 + rng.randrange(6)}-15}}",
        "status: approved",
        f"version: '2.{rng.randrange(10)}'",
        "approved: {by: johtoryhma, on: 2025-06-01}",
        "steps:",
    ]
    ids = [f"v{k:02d}" for k in range(steps)]
    decision = steps // 2
    split = 3 if steps >= 9 else None
    call_at = 2
    for k, sid in enumerate(ids):
        role = lanes[(k // 2) % len(lanes)]
        verb = VERBS[rng.randrange(len(VERBS))]
        obj = OBJECTS[rng.randrange(len(OBJECTS))]
        extra = ""
        if k == 0:
            kind, label, nexts = "start", f"{name} alkaa", f"[{ids[1]}]"
        elif k == steps - 1:
            kind, label, nexts = "end", f"{name} päättyy", None
        elif k == decision:
            kind, label = "decision", f"Onko {obj} kunnossa?"
            nexts = f"{{kyllä: {ids[k + 1]}, ei: {ids[k - 2]}}}"
        elif split is not None and k == split:
            kind, label = "decision", f"Tarvitaanko lisäselvitys: {obj}?"
            nexts = f"{{kyllä: {ids[k + 1]}, ei: {ids[k + 2]}}}"
        elif k == call_at and children:
            child = children[rng.randrange(len(children))]
            kind, label, nexts = "subprocess", f"{verb} {obj} (aliprosessi)", f"[{ids[k + 1]}]"
            extra = f", call: {child}"
        else:
            kind, label, nexts = "task", f"{verb} {obj}", f"[{ids[k + 1]}]"
        if kind == "task" and k % 3 == 1:
            extra += f", documents: [ohje, ohje-{1 + rng.randrange(REGISTER):02d}]"
        body = f"id: {sid}, kind: {kind}, name: {_q(label)}, role: {role}{extra}"
        if nexts:
            body += f", next: {nexts}"
        lines.append(f"  - {{{body}}}")
    return "\n".join(lines) + "\n"


def _plan(
    oid: str,
    mains: list[Plan],
    realized: dict[str, str],
    metric_of: dict[str, str],
    goal_ids: list[str],
) -> str:
    lines = [
        "kind: plan",
        "id: laatusuunnitelma",
        f"organisation: {oid}",
        f"name: {_text('Laadunhallinnan kehittämissuunnitelma', 'Quality development plan')}",
        "horizon: 2027-12-31",
        "status: approved",
        "version: '1.0'",
        "approved: {by: johtoryhma, on: 2025-01-15}",
        "actions:",
    ]
    phases = ("plan", "do", "check", "act")
    for k, proc in enumerate(mains[: max(4, len(mains))] * (1 if len(mains) >= 4 else 4)):
        if k >= max(4, len(mains)):
            break
        phase = phases[k % 4]
        done = k % 3 == 0
        when = "2025-11-30" if done else f"2026-{3 + k % 9:02d}-28"
        goals = [realized[proc[0]]] if oid != "j001" or k else goal_ids
        lines += [
            f"  - id: toimenpide-{k + 1}",
            f"    what: {_q(f'Kehitetään prosessia {proc[1].lower()} palautteen perusteella.')}",
            f"    who: {ROLES[2 + k % 4][0]}",
            f"    when: {when}",
            f"    resources: {_q('Laaturyhmä ja prosessinomistaja')}",
            f"    evaluated_by: [{metric_of[proc[0]]}]",
            f"    phase: {phase}",
            f"    status: {'done' if done else 'started'}",
            f"    realizes: [{', '.join(goals)}]",
            f"    processes: [{proc[0]}]",
        ]
    return "\n".join(lines) + "\n"


def _metrics(
    rng: random.Random,
    oid: str,
    mains: list[Plan],
    realized: dict[str, str],
    goal_ids: list[str],
) -> str:
    lines = [
        "kind: metrics",
        f"organisation: {oid}",
        f"name: {_text('Mittaristo', 'Metric set')}",
        "metrics:",
    ]
    for k, proc in enumerate(mains):
        base = 40 + rng.randrange(40)
        lines += [
            f"  - id: {proc[0]}-onnistuminen",
            f"    name: {_q(proc[1] + ': onnistumisaste')}",
            "    unit: '%'",
            f"    baseline: {base}",
            f"    target: {min(100, base + 15)}",
            "    target_date: 2027-12-31",
            f"    frequency: {_text('Kahdesti vuodessa', 'Twice a year')}",
            f"    source: {_q('Opiskelijahallintojärjestelmä')}",
            "    owner: laatupaallikko",
            f"    eqavet: {1 + k % 10}",
            f"    realizes: [{realized[proc[0]]}, {goal_ids[k % 4]}]",
            "    values:",
        ]
        for pid, *_ in PERIODS:
            lines.append(f"      - {{period: {pid}, value: {base + rng.randrange(15)}}}")
    return "\n".join(lines) + "\n"


def _results(rng: random.Random, oid: str, committed: list[str]) -> str:
    lines = ["kind: results", f"organisation: {oid}", "results:"]
    statuses = ("achieved", "ongoing", "ongoing", "delayed")
    for pid, *_ in PERIODS:
        for goal in committed:
            lines += [
                f"  - period: {pid}",
                f"    goal: {goal}",
                f"    status: {statuses[rng.randrange(4)]}",
                f"    text: {_q('Tavoitteen ' + goal + ' toimenpiteet etenivät suunnitellusti.')}",
                "    evidence: [itsearviointiraportti]",
            ]
    return "\n".join(lines) + "\n"

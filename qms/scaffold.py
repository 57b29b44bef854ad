"""`qms init`: the files of a new workspace, in Finnish or English.

The example validates clean: an organisation, a project goal, one process with lanes, a
decision and a metric, so that a new quality group sees every part working before editing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qms.schema import SCHEMA_FILE, schema_text


def _header(depth: int) -> str:
    """The yaml-language-server line for a file `depth` folders below the root."""
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_FILE}\n"


FI = {
    "qms.yaml": """kind: workspace
name: Oppilaitoksen laatujärjestelmä
language: fi
languages: [fi, en]
rules:
  extends: recommended
""",
    "project.yaml": """kind: project
id: laatuhanke
name: {fi: Laatuhanke, en: Quality project}
coordinator: oppilaitos
periods:
  - {id: kevat, name: {fi: Kevät, en: Spring}, start: YEAR-01-01, end: YEAR-06-30}
  - {id: syksy, name: {fi: Syksy, en: Autumn}, start: YEAR-07-01, end: YEAR-12-31}
goals:
  - id: G1
    name: {fi: Opiskelijapalaute ohjaa kehittämistä, en: Student feedback drives improvement}
    description: Opiskelijapalaute kerätään, käsitellään ja sen perusteella tehdään muutoksia.
""",
    "organisations/oppilaitos/organisation.yaml": """kind: organisation
id: oppilaitos
name: {fi: Esimerkkiopisto, en: Example college}
short: EO
type: coordinator
roles:
  - {id: rehtori, name: {fi: Rehtori, en: Principal}}
  - {id: laatupaallikko, name: {fi: Laatupäällikkö, en: Quality manager}}
  - {id: opettaja, name: {fi: Opettaja, en: Teacher}}
commits_to: [G1]
process_map:
  core: [opiskelijapalaute]
""",
    "organisations/oppilaitos/processes/opiskelijapalaute.yaml": """kind: process
id: opiskelijapalaute
organisation: oppilaitos
name: {fi: Opiskelijapalautteen käsittely, en: Handling student feedback}
type: core
level: 2
owner: laatupaallikko
purpose: Opiskelijoiden palaute kerätään ja käsitellään, ja sen perusteella parannetaan opetusta.
customers: [Opiskelijat]
inputs:
  - {name: Opiskelijapalaute, from: Opiskelijat}
outputs:
  - {name: Kehittämistoimenpiteet, to: Opiskelijat}
realizes: [G1]
metrics: [palautteen-vastausprosentti]
review: {method: Johdon katselmus, next: REVIEW}
status: draft
version: "0.1"
steps:
  - {id: alku, kind: start, name: Palautekausi alkaa, role: laatupaallikko, next: [kysely]}
  - {id: kysely, name: Kysely opiskelijoille, role: opettaja, next: [kasittely]}
  - {id: kasittely, name: Tulosten käsittely, role: laatupaallikko, next: [paatos]}
  - id: paatos
    kind: decision
    name: Tarvitaanko muutoksia?
    role: rehtori
    next: {kyllä: muutokset, ei: loppu}
  - {id: muutokset, name: Muutosten toteutus, role: opettaja, next: [loppu]}
  - {id: loppu, kind: end, name: Palaute käsitelty, role: laatupaallikko}
""",
    "organisations/oppilaitos/metrics.yaml": """kind: metrics
organisation: oppilaitos
metrics:
  - id: palautteen-vastausprosentti
    name: {fi: Palautteen vastausprosentti, en: Feedback response rate}
    unit: "%"
    baseline: 45
    target: 70
    frequency: {fi: Kahdesti vuodessa, en: Twice a year}
    source: {fi: Palautekysely, en: Feedback survey}
    owner: laatupaallikko
    eqavet: 6
    realizes: [G1]
""",
    "organisations/oppilaitos/results.yaml": """kind: results
organisation: oppilaitos
results:
  - period: kevat
    goal: G1
    status: ongoing
    text: Palautekysely toteutettiin kaikissa ryhmissä; tulokset käsitellään opettajakokouksessa.
""",
}

EN = {
    "qms.yaml": """kind: workspace
name: College quality system
language: en
languages: [en, fi]
rules:
  extends: recommended
""",
    "project.yaml": """kind: project
id: quality-project
name: {en: Quality project, fi: Laatuhanke}
coordinator: college
periods:
  - {id: spring, name: {en: Spring, fi: Kevät}, start: YEAR-01-01, end: YEAR-06-30}
  - {id: autumn, name: {en: Autumn, fi: Syksy}, start: YEAR-07-01, end: YEAR-12-31}
goals:
  - id: G1
    name: {en: Student feedback drives improvement, fi: Opiskelijapalaute ohjaa kehittämistä}
    description: Student feedback is collected and handled, and changes are made on its basis.
""",
    "organisations/college/organisation.yaml": """kind: organisation
id: college
name: {en: Example college, fi: Esimerkkiopisto}
short: EC
type: coordinator
roles:
  - {id: principal, name: {en: Principal, fi: Rehtori}}
  - {id: quality-manager, name: {en: Quality manager, fi: Laatupäällikkö}}
  - {id: teacher, name: {en: Teacher, fi: Opettaja}}
commits_to: [G1]
process_map:
  core: [student-feedback]
""",
    "organisations/college/processes/student-feedback.yaml": """kind: process
id: student-feedback
organisation: college
name: {en: Handling student feedback, fi: Opiskelijapalautteen käsittely}
type: core
level: 2
owner: quality-manager
purpose: Student feedback is collected and handled, and teaching is improved on its basis.
customers: [Students]
inputs:
  - {name: Student feedback, from: Students}
outputs:
  - {name: Improvement actions, to: Students}
realizes: [G1]
metrics: [feedback-response-rate]
review: {method: Management review, next: REVIEW}
status: draft
version: "0.1"
steps:
  - {id: start, kind: start, name: Feedback round starts, role: quality-manager, next: [survey]}
  - {id: survey, name: Survey the students, role: teacher, next: [analysis]}
  - {id: analysis, name: Analyse the results, role: quality-manager, next: [decision]}
  - id: decision
    kind: decision
    name: Are changes needed?
    role: principal
    next: {yes: changes, no: end}
  - {id: changes, name: Carry out the changes, role: teacher, next: [end]}
  - {id: end, kind: end, name: Feedback handled, role: quality-manager}
""",
    "organisations/college/metrics.yaml": """kind: metrics
organisation: college
metrics:
  - id: feedback-response-rate
    name: {en: Feedback response rate, fi: Palautteen vastausprosentti}
    unit: "%"
    baseline: 45
    target: 70
    frequency: {en: Twice a year, fi: Kahdesti vuodessa}
    source: {en: Feedback survey, fi: Palautekysely}
    owner: quality-manager
    eqavet: 6
    realizes: [G1]
""",
    "organisations/college/results.yaml": """kind: results
organisation: college
results:
  - period: spring
    goal: G1
    status: ongoing
    text: The feedback survey was run in every group; the results go to the staff meeting.
""",
}


def workspace_files(lang: str, today: dt.date | None = None) -> dict[str, str]:
    """Relative path -> text of every file of a new workspace in `lang` ('fi' or 'en').

    The periods are those of the current year and the next review a year ahead, so that a new
    workspace is clean on the day it is made.
    """
    today = today or dt.date.today()
    review = today.replace(year=today.year + 1, day=min(today.day, 28)).isoformat()
    files = {
        rel: _header(rel.count("/"))
        + body.replace("YEAR", str(today.year)).replace("REVIEW", review)
        for rel, body in (FI if lang == "fi" else EN).items()
    }
    files[SCHEMA_FILE] = schema_text()
    return dict(sorted(files.items()))


EXAMPLES = ("lamppu",)
"""The example networks that ship inside the package (qms/examples/<name> in the wheel,
models/<name> in a source checkout)."""


def example_root(name: str) -> Path | None:
    """Where an example network's files are: inside the installed package (the wheel carries
    models/<name> as qms/examples/<name>), else in the source checkout's models/<name>."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "examples" / name, package.parent / "models" / name):
        if (candidate / "qms.yaml").is_file():
            return candidate
    return None


def example_files(name: str) -> dict[str, bytes]:
    """Relative path -> bytes of every file of an example network, with the schema of this
    version of qms; empty when the example is not installed."""
    root = example_root(name) if name in EXAMPLES else None
    if root is None:
        return {}
    files: dict[str, bytes] = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".md")
    }
    files[SCHEMA_FILE] = schema_text().encode("utf-8")
    return files

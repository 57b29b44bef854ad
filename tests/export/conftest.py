"""A small workspace with every part of a manual, and hostile names that must stay text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

EVIL = "<script>alert(1)</script> &amp; Oy"
"""An organisation name that must appear as written, never as markup."""
EVIL_PROCESS = 'Palaute "<b>" & <script>alert(1)</script>'

FILES = {
    "qms.yaml": """\
kind: workspace
name: {fi: Testiverkosto, en: Test network}
language: fi
languages: [fi, en]
as_of: 2026-06-01
""",
    "project.yaml": """\
kind: project
id: hanke
name: {fi: Hanke, en: Project}
periods:
  - {id: kevat, name: Kevät, start: 2026-01-01, end: 2026-05-31}
goals:
  - {id: G1, name: {fi: Palaute ohjaa, en: Feedback drives}}
  - {id: G2, name: {fi: Talous kunnossa, en: Finances in order}}
""",
    "organisations/opisto/organisation.yaml": """\
kind: organisation
id: opisto
name: "<script>alert(1)</script> &amp; Oy"
short: OPI
description: {fi: Ammattiopisto, en: A vocational college}
roles:
  - {id: rehtori, name: {fi: Rehtori, en: Principal}}
  - {id: laatu, name: {fi: Laatupäällikkö, en: Quality manager}}
  - {id: opettaja, name: {fi: Opettaja, en: Teacher}}
commits_to: [G1, G2]
process_map:
  core: [palaute]
  support: [talous]
  customers: [Opiskelijat]
quality_group:
  - {role: laatu, name: Maija Meikäläinen, task: {fi: Puheenjohtaja, en: Chair}}
documents:
  - {id: ohje, name: {fi: Palauteohje, en: Feedback instruction}}
""",
    "organisations/opisto/processes/palaute.yaml": """\
kind: process
id: palaute
organisation: opisto
name: {fi: 'Palaute "<b>" & <script>alert(1)</script>', en: Feedback}
type: core
owner: laatu
purpose: {fi: Palaute kerätään ja käsitellään.}
scope: Alkaa kyselystä ja päättyy muutoksiin.
suppliers: [Opiskelijat]
customers: [Opiskelijat]
inputs:
  - {name: Palaute, from: Opiskelijat}
  - {name: Budjetti, from: talous}
outputs:
  - {name: Muutokset, to: Opiskelijat}
  - {name: Raportti, to: muu/kirjasto}
realizes: [G1]
influences: [G2]
metrics: [vastaus]
documents:
  - {id: lomake, name: Palautelomake, version: "2"}
risks:
  - {name: Vastauksia tulee vähän, likelihood: high, impact: medium, mitigation: Muistutukset}
review: {method: Johdon katselmus, last: 2025-01-01, next: 2026-01-01}
status: approved
version: "1.2"
approved: {by: Johtoryhmä, on: 2026-02-01}
steps:
  - {id: alku, kind: start, name: Kausi alkaa, role: laatu, next: [kysely]}
  - {id: kysely, name: Kysely, role: opettaja, next: [paatos], documents: [ohje]}
  - id: paatos
    kind: decision
    name: Muutoksia?
    role: rehtori
    next: {kyllä: rahoitus, ei: loppu}
  - {id: rahoitus, kind: subprocess, name: Rahoitus, call: talous, role: rehtori, next: [loppu]}
  - {id: loppu, kind: end, name: Valmis, role: laatu}
""",
    "organisations/opisto/processes/talous.yaml": """\
kind: process
id: talous
organisation: opisto
name: {fi: Talous, en: Finance}
type: support
owner: rehtori
purpose: Raha riittää.
inputs:
  - {name: Tarpeet, from: palaute}
outputs:
  - {name: Budjetti, to: palaute}
realizes: [G2]
lint:
  ignore:
    - {rule: unmeasured-process, reason: "Mitataan tilinpäätöksessä <i>vuosittain</i>"}
steps:
  - {id: alku, kind: start, name: Alku, role: rehtori, next: [budjetti]}
  - {id: budjetti, name: Budjetointi, role: rehtori, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu, role: rehtori}
""",
    "organisations/opisto/plan.yaml": """\
kind: plan
id: laatusuunnitelma
organisation: opisto
name: {fi: Laatusuunnitelma, en: Quality plan}
horizon: 2027-12-31
status: approved
version: "3"
approved: {by: Hallitus, on: 2026-01-15}
actions:
  - {id: a1, what: Kyselyn uudistus, who: laatu, when: 2026-03-01, phase: plan, status: planned,
     realizes: [G1], evaluated_by: [vastaus]}
  - {id: a2, what: Kysely, who: opettaja, when: 2026-04-01, phase: do, status: done,
     realizes: [G1]}
  - {id: a3, what: Arviointi, who: laatu, when: 2026-12-01, phase: check, realizes: [G1]}
  - {id: a4, what: Vaiheeton, who: laatu, when: 2026-12-01, realizes: [G1]}
""",
    "organisations/opisto/metrics.yaml": """\
kind: metrics
organisation: opisto
metrics:
  - id: vastaus
    name: {fi: Vastausprosentti, en: Response rate}
    unit: "%"
    baseline: 40
    target: 70
    target_date: 2027-01-01
    owner: laatu
    realizes: [G1]
    values:
      - {period: kevat, value: 55}
""",
    "organisations/muu/organisation.yaml": """\
kind: organisation
id: muu
name: Muu opisto
short: MUU
roles:
  - {id: johto, name: Johto}
""",
    "organisations/muu/processes/kirjasto.yaml": """\
kind: process
id: kirjasto
organisation: muu
name: Kirjasto
type: support
owner: johto
purpose: Kirjoja.
steps:
  - {id: alku, kind: start, name: Alku, role: johto, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu, role: johto}
""",
}


@pytest.fixture
def small(make_workspace: Callable[[dict[str, str]], Path]) -> Path:
    """The small workspace, written to a fresh folder."""
    return make_workspace(FILES)

"""`qms new`: one new organisation, process, plan or metric, in the folder and file where the
loader, the editor's schema line and the other authors expect it.

A new process or plan is a skeleton that validates: placeholder steps and actions, marked as
example content (`example: {reason: ...}`) so that every output says so until the author has
replaced them and removed the mark. Nothing existing is overwritten; a metric is added to the
organisation's metrics.yaml with its comments and order kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from qms.files import Refused
from qms.findings import Msg, did_you_mean
from qms.i18n import BAD_ID, DID_YOU_MEAN
from qms.model import ID_PATTERN, Organisation, Workspace
from qms.schema import SCHEMA_FILE

KINDS = ("organisation", "process", "plan", "metric")

NEEDS_ORG = Msg(
    en="a new {kind} belongs to an organisation: give --organisation ORG (one of: {known})",
    fi="uusi {kind} kuuluu organisaatiolle: anna --organisation ORG (yksi näistä: {known})",
)
NO_ORG = Msg(
    en="no organisation '{org}' in {root}{hint}; the organisations are: {known}",
    fi="organisaatiota '{org}' ei ole työtilassa {root}{hint}; organisaatiot: {known}",
)
TAKEN = Msg(
    en="{what} '{id}' exists already in {file}; nothing written",
    fi="{what} '{id}' on jo tiedostossa {file}; mitään ei kirjoitettu",
)
EXISTS = Msg(
    en="{file} exists; nothing written (qms new never overwrites: choose another id, or edit "
    "the file)",
    fi="{file} on jo olemassa; mitään ei kirjoitettu (qms new ei korvaa tiedostoja: valitse "
    "toinen tunniste tai muokkaa tiedostoa)",
)
NOT_METRICS = Msg(
    en="{file} is not a metrics file with a list 'metrics:'; nothing written",
    fi="{file} ei ole mittaritiedosto, jossa on lista 'metrics:'; mitään ei kirjoitettu",
)

WORDS = {
    "en": {
        "example": "qms new: a skeleton; replace the placeholders and remove this mark",
        "start": "Starts",
        "task": "First task",
        "end": "Ends",
        "action": "First action",
        "organisation": "organisation",
        "process": "process",
        "plan": "plan",
        "metric": "metric",
        "role": "Responsible person",
        "resources": "To be agreed",
    },
    "fi": {
        "example": "qms new: pohja; korvaa paikanpitäjät omilla tiedoilla ja poista tämä merkintä",
        "start": "Alkaa",
        "task": "Ensimmäinen tehtävä",
        "end": "Päättyy",
        "action": "Ensimmäinen toimenpide",
        "organisation": "organisaatio",
        "process": "prosessi",
        "plan": "suunnitelma",
        "metric": "mittari",
        "role": "Vastuuhenkilö",
        "resources": "Sovitaan",
    },
}


@dataclass(frozen=True)
class NewFile:
    """What `qms new` writes: a path relative to the workspace and the file's whole text."""

    rel: str
    text: str


def schema_line(rel: str) -> str:
    """The yaml-language-server line of a file at `rel` (relative to the workspace root)."""
    return f"# yaml-language-server: $schema={'../' * rel.count('/')}{SCHEMA_FILE}\n"


def _quoted(value: str) -> str:
    """A YAML scalar for a name: plain when that reads back as the same text, else quoted."""
    from qms import yamledit

    text = yamledit.dump({"v": value})
    return text[3:].rstrip("\n")


def _organisation(ws: Workspace, org: str | None, kind: str, lang: str) -> Organisation:
    known = ", ".join(o.id for o in ws.organisations) or "-"
    if not org:
        raise Refused(NEEDS_ORG.format(lang, kind=WORDS[lang][kind], known=known))
    for o in ws.organisations:
        if org in (o.id, o.short):
            return o
    guess = did_you_mean(org, [o.id for o in ws.organisations])
    hint = DID_YOU_MEAN.format(lang, word=guess) if guess else ""
    raise Refused(NO_ORG.format(lang, org=org, root=ws.root, hint=hint, known=known))


def _folder(o: Organisation) -> str:
    """The organisation's folder, relative to the workspace: where its organisation.yaml is."""
    return o._source.rsplit("/", 1)[0] if "/" in o._source else ""


def new_file(
    ws: Workspace, kind: str, new_id: str, org: str | None, name: str | None, lang: str
) -> NewFile:
    """The file `qms new KIND ID` writes, or `Refused` with the reason.

    Checked before anything is written: the id's grammar, the organisation, and that neither
    the file nor (for a metric) the id exists.
    """
    if not re.match(ID_PATTERN, new_id):
        from qms.load.schema_errors import _slug

        guess = _slug(new_id)
        hint = DID_YOU_MEAN.format(lang, word=guess) if guess else ""
        raise Refused(BAD_ID.format(lang, value=new_id, hint=hint))
    words = WORDS[lang]
    title = _quoted(name or new_id)
    if kind == "organisation":
        rel = f"organisations/{new_id}/organisation.yaml"
        clash = [o for o in ws.organisations if o.id == new_id]
        if clash:
            raise Refused(TAKEN.format(lang, what=words[kind], id=new_id, file=clash[0]._source))
        body = (
            f"kind: organisation\nid: {new_id}\nname: {title}\n"
            f"roles:\n  - {{id: vastuuhenkilo, name: {words['role']}}}\n"
            f"process_map:\n  core: []\n"
        )
        return _fresh(ws, rel, body, lang)
    o = _organisation(ws, org, kind, lang)
    role = o.roles[0].id if o.roles else None
    who = f", role: {role}" if role else ""
    mark = f"example: {{reason: {_quoted(words['example'])}}}\n"
    if kind == "process":
        clash_p = [p for p in ws.processes if p.id == new_id and p.organisation == o.id]
        if clash_p:
            raise Refused(TAKEN.format(lang, what=words[kind], id=new_id, file=clash_p[0]._source))
        body = (
            f"kind: process\nid: {new_id}\norganisation: {o.id}\nname: {title}\ntype: core\n"
            + (f"owner: {role}\n" if role else "")
            + f"status: draft\n{mark}steps:\n"
            f"  - {{id: start, kind: start, name: {words['start']}{who}, next: [task]}}\n"
            f"  - {{id: task, name: {words['task']}{who}, next: [end]}}\n"
            f"  - {{id: end, kind: end, name: {words['end']}{who}}}\n"
        )
        return _fresh(ws, f"{_join(_folder(o), 'processes')}/{new_id}.yaml", body, lang)
    if kind == "plan":
        clash_l = [p for p in ws.plans if p.id == new_id and p.organisation == o.id]
        if clash_l:
            raise Refused(TAKEN.format(lang, what=words[kind], id=new_id, file=clash_l[0]._source))
        metric = next((m.id for d in ws.metrics if d.organisation == o.id for m in d.metrics), "")
        body = (
            f"kind: plan\nid: {new_id}\norganisation: {o.id}\nname: {title}\nstatus: draft\n"
            f"{mark}actions:\n  - id: A1\n    what: {words['action']}\n"
            + (f"    who: {role}\n" if role else "")
            + f"    when: {dt.date.today().year}-12-31\n    resources: {words['resources']}\n"
            + (f"    evaluated_by: [{metric}]\n" if metric else "")
            + "    phase: plan\n    status: planned\n"
        )
        return _fresh(ws, f"{_join(_folder(o), 'plan.yaml')}", body, lang)
    return _metric(ws, o, new_id, title, role, mark, lang)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _fresh(ws: Workspace, rel: str, body: str, lang: str) -> NewFile:
    if (Path(ws.root) / rel).exists():
        raise Refused(EXISTS.format(lang, file=rel))
    return NewFile(rel, schema_line(rel) + body)


def _metric(
    ws: Workspace, o: Organisation, new_id: str, title: str, role: str | None, mark: str, lang: str
) -> NewFile:
    """A metric added to the organisation's metrics.yaml (made when missing), the rest of the
    file as it was."""
    from qms import yamledit

    for doc in ws.metrics:
        for m in doc.metrics:
            if m.id == new_id and doc.organisation == o.id:
                what = WORDS[lang]["metric"]
                raise Refused(TAKEN.format(lang, what=what, id=new_id, file=doc._source))
    entry = f"  - id: {new_id}\n    name: {title}\n" + (f"    owner: {role}\n" if role else "")
    entry += f"    {mark}"
    rel = _join(_folder(o), "metrics.yaml")
    path = Path(ws.root) / rel
    if not path.exists():
        body = f"kind: metrics\norganisation: {o.id}\nmetrics:\n{entry}"
        return NewFile(rel, schema_line(rel) + body)
    text = path.read_text(encoding="utf-8")
    data = yamledit.load(text)
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        raise Refused(NOT_METRICS.format(lang, file=rel))
    data["metrics"].append(yamledit.load(entry)[0])
    return NewFile(rel, yamledit.dump(data))

"""BPMN 2.0 files (bpmn.io, Camunda Modeler, Signavio, qms itself) -> process YAML.

Parsing goes through defusedxml with DTDs forbidden: a BPMN file never needs one, and refusing
them stops entity-expansion bombs and external entities (XXE) before any expansion happens.
Any encoding the file declares is decoded first (`to_utf8`); duplicate ids are refused.

What each element becomes is qms/bpmn/convert.py's work (the table is in docs/bpmn.md): every
element is kept, converted (said how) or dropped (said why), and `report` turns that into one
table by kind, with the roles and owners a valid model still needs and the calls to processes
that are not in the file.

Each generated YAML text is parsed again and validated by the loader's own `build_document`
before `import_files` returns, so a caller that writes only on success never writes a file
that does not load.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qms.bpmn import MODEL_NS, QMS_NS
from qms.bpmn.convert import (
    ARTIFACTS,
    FLOW_NODES,
    Conversion,
    NeedOrganisation,
    Record,
    convert_file,
    how_text,
    local,
    summary_rows,
)
from qms.findings import Msg, make_text
from qms.model import ID_PATTERN

MAX_BYTES = 20 * 1024 * 1024

M = f"{{{MODEL_NS}}}"
Q = f"{{{QMS_NS}}}"

# --- messages --------------------------------------------------------------------------------

TOO_LARGE = Msg(
    en="{file}: the file is {size} bytes, more than the {limit} a BPMN import accepts",
    fi="{file}: tiedostossa on {size} tavua, enemmän kuin BPMN-tuonnin raja {limit}",
)
UNREADABLE = Msg(
    en="{file}: cannot read the file: {reason}", fi="{file}: tiedostoa ei voi lukea: {reason}"
)
NOT_REGULAR = Msg(
    en="{file}: not a regular file (a folder, pipe or device); give the path of a .bpmn file",
    fi="{file}: ei ole tavallinen tiedosto (kansio, putki tai laite); anna .bpmn-tiedoston polku",
)
UNKNOWN_ENCODING = Msg(
    en="{file}: the XML declaration names the encoding '{encoding}', which is not a known "
    "character encoding; save the file as UTF-8",
    fi="{file}: XML-esittely nimeää merkistökoodauksen '{encoding}', jota ei tunneta; tallenna "
    "tiedosto UTF-8-muodossa",
)
BAD_BYTES = Msg(
    en="{file}:{line}:{col}: the byte 0x{byte:02x} is not valid {encoding}, the encoding the "
    "file declares; save the file as UTF-8",
    fi="{file}:{line}:{col}: tavu 0x{byte:02x} ei kelpaa merkistössä {encoding}, jonka "
    "tiedosto ilmoittaa; tallenna tiedosto UTF-8-muodossa",
)
MALFORMED = Msg(
    en="{file}:{line}:{col}: not well-formed XML ({detail}); is this a BPMN file?",
    fi="{file}:{line}:{col}: XML ei ole hyvin muodostettua ({detail}); onko tämä BPMN-tiedosto?",
)
DTD_REFUSED = Msg(
    en="{file}: refused: the file declares a DTD or entities (<!DOCTYPE ...>). BPMN files have "
    "none, and entity declarations can expand into gigabytes (billion laughs) or read local "
    "files (external entities, XXE); remove the <!DOCTYPE> part",
    fi="{file}: hylätty: tiedostossa on DTD- tai entiteettimäärittely (<!DOCTYPE ...>). "
    "BPMN-tiedostoissa niitä ei ole, ja entiteetit voivat paisua gigatavuiksi (billion laughs) "
    "tai lukea paikallisia tiedostoja (ulkoiset entiteetit, XXE); poista <!DOCTYPE>-osa",
)
NOT_BPMN = Msg(
    en="{file}: not a BPMN 2.0 file: the root element is <{tag}>, expected <definitions> in "
    "the namespace " + MODEL_NS,
    fi="{file}: ei ole BPMN 2.0 -tiedosto: juurielementti on <{tag}>, odotettiin <definitions> "
    "nimiavaruudessa " + MODEL_NS,
)
NO_PROCESS = Msg(
    en="{file}: the file holds no process with flow elements; nothing to import",
    fi="{file}: tiedostossa ei ole prosessia, jossa olisi kulkuelementtejä; ei tuotavaa",
)
NO_ORGANISATION = Msg(
    en="{file}: which organisation owns the process? Give --organisation ORG (the id in its "
    "organisation.yaml)",
    fi="{file}: mikä organisaatio omistaa prosessin? Anna --organisation ORG (tunniste sen "
    "organisation.yaml-tiedostosta)",
)
BAD_ORGANISATION = Msg(
    en="--organisation {org}: not an id (letters a-z and A-Z, digits, '-', '_' and '.')",
    fi="--organisation {org}: ei kelpaa tunnisteeksi (kirjaimet a-z, A-Z, numerot, '-', '_', '.')",
)
INVALID = Msg(
    en="{file}: the process {pid} made from it does not validate: {detail}",
    fi="{file}: siitä tehty prosessi {pid} ei ole mallin mukainen: {detail}",
)
DUPLICATE = Msg(
    en="{file}: process {pid} is also made from {other}; import them separately or rename one",
    fi="{file}: prosessi {pid} tehdään myös tiedostosta {other}; tuo ne erikseen tai nimeä "
    "toinen uudelleen",
)
TOO_DEEP = Msg(
    en="{file}: sub-processes are nested too deeply to import",
    fi="{file}: aliprosessit ovat liian monitasoisesti sisäkkäin tuotaviksi",
)
DUPLICATE_ID = Msg(
    en="{file}: the id {id} is given to more than one element ({elements}); BPMN ids must be "
    "unique, and the flows that name it cannot be told apart; rename all but one",
    fi="{file}: tunniste {id} on useammalla elementillä ({elements}); BPMN-tunnisteiden on "
    "oltava yksilöllisiä, eikä niihin viittaavia vuita voi erottaa; nimeä muut uudelleen",
)
SELF_LOOP = Msg(
    en="sequence flow {id} leads from {step} straight back to it; it is kept, and "
    "`qms validate` reports it (QMS113)",
    fi="sekvenssivuo {id} johtaa kohteesta {step} suoraan takaisin siihen; se säilytetään, ja "
    "`qms validate` ilmoittaa siitä (QMS113)",
)
ROLES = Msg(
    en="declare the roles the lanes became in organisations/{org}/organisation.yaml, and "
    "name an owner in each process ({processes}); paste and complete:",
    fi="määrittele kaistoista tehdyt roolit tiedostossa organisations/{org}/organisation.yaml "
    "ja nimeä kullekin prosessille omistaja ({processes}); liitä ja täydennä:",
)
OWNER = Msg(
    en="name an owner (a role id) in each process ({processes}): `owner: ROLE`",
    fi="nimeä kullekin prosessille omistaja (roolin tunniste) ({processes}): `owner: ROOLI`",
)
MISSING_CALLS = Msg(
    en="calls to processes that are not in the file (their steps have no `call`; import "
    "those processes too and add `call: <id>`): {calls}",
    fi="kutsut prosesseihin, joita ei ole tiedostossa (vaiheilla ei ole `call`-kenttää; tuo "
    "myös ne prosessit ja lisää `call: <tunniste>`): {calls}",
)
SUMMARY_HEAD = Msg(
    en="What the import did with each kind of BPMN element:",
    fi="Mitä tuonti teki kullekin BPMN-elementtilajille:",
)
COLUMNS = Msg(en="kind|kept|converted|dropped|how", fi="laji|säilyi|muunnettiin|pudotettiin|miten")
IDS_HINT = Msg(
    en="(add --ids to list the ids of every converted and dropped element)",
    fi="(--ids luettelee jokaisen muunnetun ja pudotetun elementin tunnisteen)",
)


class BpmnImportError(Exception):
    """A file that cannot be imported; `text` holds the message by language."""

    def __init__(self, text: dict[str, str]) -> None:
        super().__init__(text.get("en", ""))
        self.text = text


@dataclass(frozen=True)
class Note:
    """Something the import reports without failing: a skipped element, a dropped trigger."""

    file: str
    element: str
    text: dict[str, str]
    severity: str = "warning"


@dataclass
class Imported:
    """The result of an import: file name -> YAML text, and what was reported."""

    files: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    """How every element of every file came through (kept / converted / dropped)."""
    roles: dict[str, dict[str, str]] = field(default_factory=dict)
    """Organisation -> role id -> lane name, for roles a file's lanes became."""
    unowned: dict[str, list[str]] = field(default_factory=dict)
    """Organisation -> processes without an owner."""
    missing_calls: dict[str, list[str]] = field(default_factory=dict)
    """calledElement -> "file: call activity id" of calls to processes not in the file."""


# --- parsing ---------------------------------------------------------------------------------


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_UNMARKED = (  # XML 1.0 appendix F: the first four bytes of '<?xm' in each family
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)
_DECLARED = re.compile(r"""^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1""")
_NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"}


def to_utf8(data: bytes, file: str) -> bytes:
    """The document in UTF-8, decoded from whatever encoding it declares (or its byte-order
    mark shows), with the declaration rewritten to match; expat alone reads only UTF-8,
    UTF-16, ISO-8859-1 and US-ASCII, and gives up on multi-byte encodings such as Shift_JIS.
    An unknown encoding or a byte that is not valid in it is refused with a message."""
    import codecs

    family = next((enc for bom, enc in _BOMS if data.startswith(bom)), "")
    family = family or next((enc for head, enc in _UNMARKED if data.startswith(head)), "")
    head = data[:1024].decode(family or "utf-8", errors="replace").lstrip("\ufeff")
    declared = _DECLARED.match(head)
    name = declared.group(2) if declared else ""
    encoding = family if family.startswith("utf-") else (name or family or "utf-8")
    try:
        info = codecs.lookup(encoding)
        if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
            raise LookupError(encoding)
    except LookupError as error:
        raise BpmnImportError(make_text(UNKNOWN_ENCODING, file=file, encoding=encoding)) from error
    if info.name == "utf-8":
        return data  # expat reads it and reports a bad byte where it is
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as error:
        before = data[: error.start].decode(info.name, errors="replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        raise BpmnImportError(
            make_text(
                BAD_BYTES,
                file=file,
                line=line,
                col=col,
                byte=data[error.start],
                encoding=name or encoding,
            )
        ) from error
    text = text.lstrip("\ufeff")
    found = _DECLARED.match(text)
    if found:
        text = text[: found.start(2)] + "UTF-8" + text[found.end(2) :]
    return text.encode("utf-8")


def parse_xml(data: bytes, file: str) -> ET.Element:
    """Parse with DTDs, entities and external references forbidden."""
    import defusedxml  # type: ignore[import-untyped]
    import defusedxml.ElementTree as safe_et  # type: ignore[import-untyped]

    try:
        root: ET.Element = safe_et.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as error:
        raise BpmnImportError(make_text(DTD_REFUSED, file=file)) from error
    except ET.ParseError as error:
        line, col = error.position
        detail = str(error).split(":")[0]
        raise BpmnImportError(
            make_text(MALFORMED, file=file, line=line, col=col + 1, detail=detail)
        ) from error
    return root


def slug(value: str, fallback: str = "step") -> str:
    """A model id from a name: ASCII lower case, digits and '-'.

    >>> slug("Hyväksytäänkö talousarvio?")
    'hyvaksytaanko-talousarvio'
    >>> slug("Activity_0x1ybz3")
    'activity_0x1ybz3'
    """
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9_]+", "-", ascii_.lower()).strip("-_")
    out = re.sub(r"-{2,}", "-", out)[:48].strip("-_")
    return out or fallback


class _Taken(set[str]):
    """Ids already given, and the next suffix to try for each base, so that 20,000 steps with
    the same name take linear time, not quadratic."""

    def __init__(self, given: set[str] | None = None) -> None:
        super().__init__(given or ())
        self.suffix: dict[str, int] = {}


def _unique(base: str, taken: set[str]) -> str:
    counters = taken.suffix if isinstance(taken, _Taken) else {}
    candidate, n = base, counters.get(base, 2)
    if candidate in taken:
        candidate = f"{base}-{n}"
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        counters[base] = n + 1
    taken.add(candidate)
    return candidate


# --- conversion (qms/bpmn/convert.py) -------------------------------------------------------


def convert_all(
    root: ET.Element,
    file: str,
    organisation: str | None,
    taken_pids: set[str] | None = None,
    lang: str = "en",
) -> Conversion:
    """A parsed BPMN document -> the processes and the record of every element; the names
    and notes the import writes are in `lang`."""
    if root.tag != f"{M}definitions":
        raise BpmnImportError(make_text(NOT_BPMN, file=file, tag=local(root.tag)))
    taken = _Taken(taken_pids)
    try:
        conversion = convert_file(root, file, organisation, taken, slug, _unique, _Taken, lang)
    except NeedOrganisation as error:
        raise BpmnImportError(make_text(NO_ORGANISATION, file=file)) from error
    if not conversion.processes:
        raise BpmnImportError(make_text(NO_PROCESS, file=file))
    return conversion


ORDER = (
    "kind",
    "id",
    "organisation",
    "name",
    "type",
    "level",
    "owner",
    "purpose",
    "description",
    "realizes",
    "influences",
    "metrics",
    "documents",
    "resources",
    "systems",
    "inputs",
    "outputs",
    "status",
    "version",
    "notes",
    "phases",
    "example",
    "steps",
)
STEP_ORDER = (
    "id",
    "kind",
    "name",
    "role",
    "task_type",
    "trigger",
    "catch",
    "timer",
    "link",
    "attached_to",
    "interrupting",
    "loop",
    "compensation",
    "triggered",
    "next",
    "call",
    "documents",
    "produces",
    "systems",
    "outputs",
    "notes",
    "description",
    "example",
)


def to_yaml(doc: dict[str, Any], source: str) -> str:
    """The process as YAML: `kind` first, keys in a fixed order, steps in flow order."""
    ordered = {k: doc[k] for k in ORDER if k in doc}
    ordered["steps"] = [{k: s[k] for k in STEP_ORDER if k in s} for s in doc.get("steps", [])]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(ordered, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"# Imported from {Path(source).name} by `qms import bpmn`.\n{body}"


def validate_yaml(content: str, rel: str) -> list[str]:
    """Messages of the loader's own reading and schema validation, on the very bytes that
    would be written (size, depth, syntax, schema): empty when the file loads."""
    from qms.load import SourceMap, build_document, parse_file

    sources = SourceMap()
    data, findings = parse_file(Path("."), rel, sources, raw=content.encode("utf-8"))
    if data is not None and not findings:
        doc, findings = build_document(data, rel, sources)
    else:
        doc = None
    problems = [f"{f.keypath}: {f.text['en']}" if f.keypath else f.text["en"] for f in findings]
    if doc is None and not problems:
        problems.append("not loadable")
    return problems


def read_bpmn(path: str) -> bytes:
    """The bytes of one BPMN file: a regular file of at most MAX_BYTES (a FIFO or a device such
    as /dev/zero is refused before reading, and reading stops one byte past the limit)."""
    import stat

    try:
        info = Path(path).stat()
        if not stat.S_ISREG(info.st_mode):
            raise BpmnImportError(make_text(NOT_REGULAR, file=path))
        if info.st_size > MAX_BYTES:
            raise BpmnImportError(
                make_text(TOO_LARGE, file=path, size=info.st_size, limit=MAX_BYTES)
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise BpmnImportError(make_text(UNREADABLE, file=path, reason=reason)) from error
    if len(data) > MAX_BYTES:
        raise BpmnImportError(make_text(TOO_LARGE, file=path, size=len(data), limit=MAX_BYTES))
    return data


NAMED_BY_REFS = (
    FLOW_NODES
    | ARTIFACTS
    | {
        "sequenceFlow",
        "messageFlow",
        "participant",
        "lane",
        "process",
        "collaboration",
        "dataStore",
        "message",
        "signal",
        "error",
        "escalation",
    }
)
"""What flows, lanes, pools, associations, calls and event definitions refer to by id."""


def check_ids(root: ET.Element, file: str) -> None:
    """Refuse a file in which two BPMN elements share an id: a flow naming it could mean
    either, and guessing would import a different process than the one drawn. Only elements
    that flows, lanes, pools, associations and calls name are checked: Signavio repeats the ids
    of inner parts (`ioSpecification`) and gives a global task its process's id (a call
    activity that names both calls the global task, convert.py)."""
    seen: dict[str, list[ET.Element]] = {}
    for el in root.iter():
        eid = el.get("id")
        if eid and isinstance(el.tag, str) and el.tag.startswith(M):
            if local(el.tag) not in NAMED_BY_REFS:
                continue  # e.g. a task's ioSpecification: nothing in a process names it
            seen.setdefault(eid, []).append(el)
    for eid, els in seen.items():
        if len(els) > 1:
            shown = ", ".join(
                f"bpmn:{local(e.tag)}" + (f" '{e.get('name')}'" if e.get("name") else "")
                for e in els[:5]
            )
            raise BpmnImportError(make_text(DUPLICATE_ID, file=file, id=eid, elements=shown))


def import_files(paths: list[str], organisation: str | None = None, lang: str = "en") -> Imported:
    """Convert every file; raise BpmnImportError on the first one that cannot be imported.
    Names and notes the import has to write (an added start, a missing call) are in `lang`."""
    if organisation is not None and not re.match(ID_PATTERN, organisation):
        raise BpmnImportError(make_text(BAD_ORGANISATION, org=organisation))
    result = Imported()
    origin: dict[str, str] = {}
    for path in paths:
        shown = str(path)
        root = parse_xml(to_utf8(read_bpmn(shown), shown), shown)
        check_ids(root, shown)
        try:
            conversion = convert_all(root, shown, organisation, lang=lang)
        except RecursionError as error:
            raise BpmnImportError(make_text(TOO_DEEP, file=shown)) from error
        result.records.extend(conversion.records)
        for flow, step in conversion.self_loops:
            result.notes.append(Note(shown, flow, make_text(SELF_LOOP, id=flow, step=step)))
        from_qms = root.get("exporter") == "qms"
        for called, callers in conversion.missing_calls.items():
            result.missing_calls.setdefault(called, []).extend(f"{shown}: {c}" for c in callers)
        docs = conversion.processes
        for doc in docs:
            org = str(doc["organisation"])
            if not from_qms:
                for role, lane in conversion.roles.items():
                    if role:
                        result.roles.setdefault(org, {}).setdefault(role, lane)
            if not doc.get("owner"):
                result.unowned.setdefault(org, []).append(str(doc["id"]))
            name = f"{doc['id']}.yaml"
            if name in origin:
                raise BpmnImportError(
                    make_text(DUPLICATE, file=shown, pid=doc["id"], other=origin[name])
                )
            origin[name] = shown
            content = to_yaml(doc, shown)
            # Checked where process files go: a process `qms` is not the workspace's own
            # qms.yaml, which only the root's file of that name is.
            problems = validate_yaml(content, f"processes/{name}")
            if problems:
                detail = "; ".join(problems[:5])
                raise BpmnImportError(make_text(INVALID, file=shown, pid=doc["id"], detail=detail))
            result.files[name] = content
    return result


EXISTS = Msg(
    en="{path} exists; add --force to overwrite it",
    fi="{path} on jo olemassa; korvaa se lisäämällä --force",
)
NOTHING_WRITTEN = Msg(en="nothing was written", fi="mitään ei kirjoitettu")
WRITE_FAILED = Msg(en="{path}: cannot write: {reason}", fi="{path}: ei voi kirjoittaa: {reason}")


def write_files(result: Imported, out: str, force: bool = False) -> list[str]:
    """Write every imported file into `out`, all or nothing: existing files are refused
    without `force`; every file is staged first, then all are swapped in, and a failure part
    way puts back the files already replaced (qms.files.replace_together)."""
    from qms.files import replace_together

    target = Path(out)
    existing = [name for name in sorted(result.files) if (target / name).exists()]
    if existing and not force:
        raise BpmnImportError(make_text(EXISTS, path=str(target / existing[0])))
    try:
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(20, "not a folder")
        written = replace_together(
            {target / name: content.encode("utf-8") for name, content in result.files.items()}
        )
    except OSError as error:
        reason = error.strerror or str(error)
        raise BpmnImportError(make_text(WRITE_FAILED, path=out, reason=reason)) from error
    return [str(path) for path in written]


def report(result: Imported, lang: str, ids: bool = False) -> str:
    """What the import did, said once: the table by kind, the calls to processes not in the
    files, and what to add for a valid result (roles, owners) with a snippet to paste."""
    lang = "fi" if lang == "fi" else "en"
    rows = summary_rows(result.records)
    lines: list[str] = []
    if rows:
        head = COLUMNS.format(lang).split("|")
        table = [head] + [
            [kind, str(k), str(c), str(d), "; ".join(how_text(h, lang) for h in hows)]
            for kind, k, c, d, hows in rows
        ]
        widths = [max(len(r[i]) for r in table) for i in range(4)]
        lines.append(SUMMARY_HEAD.format(lang))
        for row in table:
            cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in (1, 2, 3)]
            lines.append("  " + "  ".join(cells) + ("  " + row[4] if row[4] else ""))
        if ids:
            for r in result.records:
                if r.outcome != "kept":
                    lines.append(f"  {r.file}: {r.outcome}: {r.kind} {r.id}")
        elif any(r.outcome != "kept" for r in result.records):
            lines.append(IDS_HINT.format(lang))
    if result.missing_calls:
        calls = ", ".join(
            f"{called} ({', '.join(callers)})"
            for called, callers in sorted(result.missing_calls.items())
        )
        lines.append(MISSING_CALLS.format(lang, calls=calls))
    for org in sorted(set(result.roles) | set(result.unowned)):
        processes = ", ".join(result.unowned.get(org, [])) or "-"
        roles = result.roles.get(org, {})
        if roles:
            lines.append(ROLES.format(lang, org=org, processes=processes))
            lines.append("    roles:")
            for role, lane in sorted(roles.items()):
                lines.append(
                    f"      - {{id: {role}, name: {json.dumps(lane or role, ensure_ascii=False)}}}"
                )
            if result.unowned.get(org):
                first = sorted(roles)[0]
                lines.append(f"    # {', '.join(result.unowned[org])}: owner: {first}")
        elif result.unowned.get(org):
            lines.append(OWNER.format(lang, processes=processes))
    return "\n".join(lines)

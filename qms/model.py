"""The model vocabulary: what a quality group writes in its YAML files.

Pydantic gives the shape (types, unknown keys, enumerations); meaning (dangling references,
unreachable steps, uncovered goals) is left to the rules, so that a wrong reference is a finding
with a hint, never a crash. Field docstrings become the JSON Schema descriptions that editors
show while typing, and the generated model reference in docs/model.md.

Annotations are evaluated as Python reads them (no `from __future__ import annotations`): as
strings, pydantic compiled and evaluated each of some 300 of them while creating the classes
(2 % of a `qms validate` after one edit). A part is defined before the wholes that hold it.
"""

import datetime as dt
import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    Strict,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from qms import values as _v

LANGUAGES: tuple[str, ...] = ("fi", "en", "sv", "se")
Lang = Literal["fi", "en", "sv", "se"]


def _check_text(value: Any) -> str | dict[str, str]:
    """Accept a plain string or a map of language code to string, with one clear error."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value:
        for key, item in value.items():
            if key not in LANGUAGES:
                raise PydanticCustomError(
                    "text_language", "unknown language {lang}", {"lang": str(key)}
                )
            if not isinstance(item, str):
                raise PydanticCustomError("text_type", "expected text", {})
        return {str(k): v for k, v in value.items()}
    raise PydanticCustomError("text_type", "expected text", {})


_TEXT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "properties": {lang: {"type": "string"} for lang in LANGUAGES},
            "additionalProperties": False,
            "minProperties": 1,
        },
    ],
    "description": "A text in the workspace's language, or a map of languages: {fi: ..., en: ...}.",
}

Text = Annotated[str | dict[str, str], PlainValidator(_check_text), WithJsonSchema(_TEXT_SCHEMA)]
"""A plain string, or a map of languages (fi, en, sv, se) to strings."""


def _check_value(value: Any) -> str | float:
    """Accept a number or a short text (a target such as '>= 80 %')."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError("value_type", "expected a number or text", {})
    if isinstance(value, float) and not math.isfinite(value):  # .nan, .inf: never a target
        raise PydanticCustomError("finite_number", "expected a finite number", {})
    return value


Value = Annotated[
    str | float,
    PlainValidator(_check_value),
    WithJsonSchema({"type": ["number", "string"]}),
]


def _date_value(value: Any) -> Any:
    """A date is written YYYY-MM-DD: a number is refused, never read as seconds since 1970."""
    if isinstance(value, bool | int | float):
        raise PydanticCustomError("date_type", "expected a date YYYY-MM-DD", {})
    return value


Date = Annotated[dt.date, BeforeValidator(_date_value)]
"""A date, YYYY-MM-DD (a YAML date, or the same text in quotes), as the schema's `format: date`."""

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""The one id grammar of every element kind: a letter a-z or A-Z or a digit, then letters,
digits, '_', '-' and '.'. Case is kept and matters in references (`G1` is not `g1`), and two
ids of one scope that differ only in case are a finding (QMS003)."""
GOAL_ID_PATTERN = ID_PATTERN
"""Goal ids follow the same grammar (kept as a name for the schema and the docs)."""
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
"""An identifier such as talous, A1, G3 or JSAO (Finnish letters belong in names)."""
GoalId = Id
"""A goal identifier such as G3: the same grammar as every other id."""
Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN, max_length=130)]
"""A reference to an id, optionally qualified: 'talous' or 'redu/talous'."""


def _accept(names: _v.Names) -> BeforeValidator:
    """Take a Finnish or Swedish name (qms/values.py) as the English value it stands for."""
    return BeforeValidator(lambda value: _v.canonical(value, names))


def _offer(names: _v.Names) -> WithJsonSchema:
    """Offer every name in the JSON Schema, so that editors complete Finnish values too."""
    return WithJsonSchema({"enum": [*names, *_v.aliases(names)]})


Severity = Annotated[
    Literal["error", "warning", "info", "off"], _accept(_v.SEVERITIES), _offer(_v.SEVERITIES)
]


Level = Annotated[Literal["low", "medium", "high"], _accept(_v.LEVELS), _offer(_v.LEVELS)]
ApprovalStatus = Annotated[
    Literal["draft", "approved", "retired"], _accept(_v.APPROVAL), _offer(_v.APPROVAL)
]


def _new_list() -> list[Any]:
    """A fresh `[]`. A Python function, not `list`: pydantic reads each default factory's
    signature, once per field of every class, and a builtin's is parsed from its text with
    the tokenizer (3 % of a `qms validate` after one edit)."""
    return []


def _new_dict() -> dict[str, Any]:
    """A fresh `{}` (see `_new_list`)."""
    return {}


def _empty_list() -> Any:
    """`[]` as a field's default, made fresh per element (`_new_list`): pydantic deep-copies
    a mutable default for every element it builds (76,000 copies per 1,000 processes)."""
    return Field(default_factory=_new_list, json_schema_extra={"default": []})


def _empty_dict() -> Any:
    """`{}` as a field's default, made fresh per element (see `_empty_list`)."""
    return Field(default_factory=_new_dict, json_schema_extra={"default": {}})


class Node(BaseModel):
    """Base of every model element: frozen, unknown keys refused; its attribute docstrings
    describe its fields in the schema and docs/model.md (`documented`)."""

    # A class's validator is built when it first validates (`defer_build`), not at import: a
    # `qms validate` after one edit loads one process and qms.yaml, and building all 43
    # classes' validators cost it 7 % of its instructions; a document class's validator holds
    # its parts' schemas, so those are not built on their own at all.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        str_strip_whitespace=False,
        allow_inf_nan=False,
        defer_build=True,
    )


class Suppression(Node):
    """One rule switched off for one element, with the reason every report shows."""

    rule: str = Field(min_length=1)
    """The rule's code (QMS206) or name (unmeasured-process)."""
    reason: str = Field(min_length=1)
    """Why the finding does not apply here; shown in every report."""


class LintSettings(Node):
    """Per-element rule settings."""

    ignore: list[Suppression] = _empty_list()
    """Rules that do not apply to this element, each with a reason."""


class Suppressible(Node):
    """An element that may switch rules off for itself and everything inside it."""

    lint: LintSettings | None = None
    """Rule suppressions for this element and its children."""


class ExampleNote(Node):
    """Why an element is example content: `example: {reason: ...}`."""

    reason: Text
    """Why the content is an example, e.g. "the reports do not name the owner"."""


def _flag_or_note(value: Any) -> Any:
    """YAML 1.2 booleans only, as the schema says: `yes`, `on` or 1 is a mistake, not true."""
    if isinstance(value, bool | dict | ExampleNote):
        return value
    raise PydanticCustomError("bool_type", "expected true or false", {})


ExampleMark = Annotated[Annotated[bool, Strict()] | ExampleNote, BeforeValidator(_flag_or_note)]
"""`true`, `false`, or `{reason: ...}` (which means true, with the reason shown)."""


class Exemplary(Node):
    """An element that may be marked as example content, for itself and everything inside it."""

    example: ExampleMark | None = None
    """`true` or `{reason: ...}` when this element (and what it holds) is illustrative example
    content, not taken from a source; every output marks it. Inherited by the elements inside;
    `false` on an inner element marks it as sourced again."""


class Document(Suppressible):
    """One model file. `_source` is the file's path relative to the workspace."""

    KIND: ClassVar[str] = ""
    _source: str = PrivateAttr(default="")
    _salvaged: Any = PrivateAttr(default=None)
    """What loading left out of the file (qms/load/salvage.py), None when it loaded whole."""

    @property
    def source(self) -> str:
        """The file this document was read from, relative to the workspace root."""
        # Read the private slot directly: pydantic's __getattr__ is slow, and the rules ask
        # for a document's source once per finding location (millions of times nationally).
        private = self.__pydantic_private__
        return str(private["_source"]) if private else ""


# --- workspace -------------------------------------------------------------------------------


class RuleConfig(Node):
    """Which rules run and how severe their findings are."""

    extends: Annotated[
        Literal["recommended", "strict", "all"], _accept(_v.PRESETS), _offer(_v.PRESETS)
    ] = "recommended"
    """The preset to start from."""
    select: list[str] = _empty_list()
    """Rules to add to the preset: codes (QMS206), prefixes (QMS2) or names."""
    ignore: list[str] = _empty_list()
    """Rules to switch off: codes, prefixes or names."""
    severity: dict[str, Severity] = _empty_dict()
    """Severity by rule code, prefix or name, e.g. {QMS206: error}."""
    options: dict[str, dict[str, int | float | str | bool]] = _empty_dict()
    """Rule options by rule code or name, e.g. {oversized-diagram: {limit: 25}}; each rule's
    documentation (docs/rules.md) lists its options and their defaults."""


class WorkspaceSettings(Document, Exemplary):
    """The workspace file `qms.yaml` at the root of a model folder."""

    KIND: ClassVar[str] = "workspace"
    kind: Literal["workspace"]
    """Always `workspace`."""
    name: Text
    """The workspace's name, e.g. the network's."""
    description: Text | None = None
    """What the workspace holds."""
    language: Lang = "fi"
    """The language of plain texts and the default language of reports and documents."""
    languages: list[Lang] = _empty_list()
    """The languages the model is written in (the first is the default for exports)."""
    as_of: Date | None = None
    """The date deadline and coverage checks use; default today."""
    rules: RuleConfig = RuleConfig()
    """Rule settings: preset, selection, severities."""


# --- project ---------------------------------------------------------------------------------


class Period(Node):
    """A reporting period, e.g. spring 2012."""

    id: Id
    """Identifier, e.g. kevat-2012."""
    name: Text
    """Name, e.g. {fi: Kevät 2012, en: Spring 2012}."""
    start: Date
    """First day of the period."""
    end: Date
    """Last day of the period."""


class Goal(Suppressible):
    """A goal of the network project that organisations commit to and realize."""

    id: GoalId
    """Identifier, e.g. G3."""
    name: Text
    """Short name of the goal."""
    description: Text | None = None
    """The goal as the project plan words it."""
    parent: GoalId | None = None
    """The goal this one refines."""
    indicators: list[Text] = _empty_list()
    """How achieving the goal is recognised."""


class Project(Document):
    """The network project whose goals are tracked, e.g. LAMPPU."""

    KIND: ClassVar[str] = "project"
    kind: Literal["project"]
    """Always `project`."""
    id: Id
    """Identifier, e.g. lamppu."""
    name: Text
    """The project's name."""
    short: str | None = None
    """Short name, e.g. LAMPPU."""
    description: Text | None = None
    """What the project is for."""
    coordinator: Id | None = None
    """The coordinating organisation's id."""
    funder: Text | None = None
    """Who funds the project."""
    start: Date | None = None
    """When the project starts."""
    end: Date | None = None
    """When the project ends."""
    members: int | None = Field(default=None, ge=1)
    """How many organisations the network has in all, when the model holds only some of them:
    coverage then says how many are modelled ("5/7 kumppania mallinnettu")."""
    periods: list[Period] = _empty_list()
    """Reporting periods, in order."""
    goals: list[Goal] = _empty_list()
    """The project's goals."""


# --- organisation ----------------------------------------------------------------------------


class Role(Exemplary):
    """A role or unit: a lane in the process diagrams."""

    id: Id
    """Identifier, e.g. talousjohtaja."""
    name: Text
    """Name, e.g. {fi: Talousjohtaja, en: Finance director}."""
    description: Text | None = None
    """What the role is responsible for."""


class Member(Node):
    """A member of the quality group."""

    role: Id
    """The member's role id."""
    name: str | None = None
    """The member's name, if it may be published."""
    task: Text | None = None
    """The member's task in the quality group."""


class ProcessMap(Node):
    """The order of processes on the organisation's process map."""

    management: list[Ref] = _empty_list()
    """Management processes, top band, left to right."""
    core: list[Ref] = _empty_list()
    """Core processes, middle band, left to right."""
    support: list[Ref] = _empty_list()
    """Support processes, bottom band, left to right."""
    customers: list[Text] = _empty_list()
    """The customers drawn at both ends of the map."""


class DocumentRef(Exemplary):
    """A document in the register of operating instructions (toimintaohjerekisteri)."""

    id: Id
    """Identifier, unique within the process or organisation."""
    name: Text
    """Title of the document."""
    version: str | None = None
    """Version of the document."""
    link: str | None = None
    """Where the document is kept (URL or path)."""
    owner: Id | None = None
    """The role that maintains the document."""


class Organisation(Document, Exemplary):
    """A network member: an education provider or the coordinator."""

    KIND: ClassVar[str] = "organisation"
    kind: Literal["organisation"]
    """Always `organisation`."""
    id: Id
    """Identifier, e.g. redu."""
    name: Text
    """Full name."""
    short: str | None = None
    """Short name, e.g. REDU."""
    type: Annotated[
        Literal["provider", "coordinator", "partner", "other"],
        _accept(_v.ORGANISATION_TYPES),
        _offer(_v.ORGANISATION_TYPES),
    ] = "provider"
    """What kind of member the organisation is."""
    description: Text | None = None
    """A short description."""
    roles: list[Role] = _empty_list()
    """Roles and units: the lanes of its process diagrams."""
    commits_to: list[GoalId] = _empty_list()
    """The project goals its sub-project pursues."""
    subproject: Text | None = None
    """The name or theme of its sub-project."""
    process_map: ProcessMap | None = None
    """The order of processes on its process map."""
    quality_group: list[Member] = _empty_list()
    """Members of the quality group (laaturyhmä)."""
    documents: list[DocumentRef] = _empty_list()
    """The register of operating instructions (toimintaohjerekisteri)."""
    merges_into: Id | None = None
    """For a predecessor unit in a merger: the organisation it merges into (e.g. `jedu`). It
    is not a member of the network: coverage, the goal map and the published manuals leave it
    out (name it with `--organisation` to publish it); `qms compare` compares it."""


# --- process ---------------------------------------------------------------------------------


class Exchange(Node):
    """An input or output of a process, with the party on the other side."""

    model_config = ConfigDict(populate_by_name=False, validate_by_name=False)
    """Only `from` is read from files (as the schema says), never the attribute name `from_`."""

    name: Text
    """What is passed, e.g. Hyväksytty talousarvio."""
    from_: str | None = Field(default=None, alias="from")
    """For an input: the supplying process ('talous', 'redu/talous') or an outside party."""
    to: str | None = None
    """For an output: the receiving process or an outside party."""
    step: Id | None = None
    """The step that receives the input or sends the output (a BPMN message flow's end in
    this process); unset when the process as a whole does."""


class Risk(Node):
    """A risk of the process and how it is handled."""

    name: Text
    """The risk."""
    likelihood: Level | None = None
    """How likely it is."""
    impact: Level | None = None
    """How bad it would be."""
    mitigation: Text | None = None
    """How it is prevented or handled."""


class Review(Node):
    """How and when the process description is reviewed."""

    method: Text | None = None
    """How the process is reviewed, e.g. internal audit."""
    last: Date | None = None
    """When it was last reviewed."""
    next: Date | None = None
    """When it is next reviewed."""


Digest = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{16,64}$")]
"""A content digest as `qms approve` writes it: `sha256:` and hex digits."""


class Approval(Node):
    """Who approved the description, and when."""

    by: str = Field(min_length=1)
    """Who approved it (a role, body or person)."""
    on: Date
    """When it was approved."""
    digest: Digest | None = None
    """The canonical digest of the approved content, written by `qms approve`; an edit after
    the approval makes the approval suspect (rule suspect-approval)."""
    version: str | None = None
    """The version that was approved, written by `qms approve` (rule unversioned-change)."""
    links: dict[Annotated[str, StringConstraints(max_length=200)], Digest] = {}
    """Digests of the goals, parent process and metrics the element pointed to when it was
    approved (`goal:G7`, `parent:talous`, `metric:m1`; written by `qms approve`); a change in
    one of them makes the approval suspect (rule suspect-link)."""


class Branch(Node):
    """A flow from a step to the next one, with a label on a decision's branches."""

    to: Id
    """The id of the next step."""
    label: Text | None = None
    """The branch label, e.g. kyllä / ei."""
    condition: Text | None = None
    """When the branch is taken, as written (a BPMN condition expression)."""
    default: bool = False
    """True for the branch taken when no other branch's condition holds (BPMN default flow)."""


_NEXT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "array",
            "items": {
                "anyOf": [
                    {"type": "string", "pattern": ID_PATTERN},
                    {
                        "type": "object",
                        "properties": {
                            "to": {"type": "string"},
                            "label": _TEXT_SCHEMA,
                            "condition": _TEXT_SCHEMA,
                            "default": {"type": "boolean"},
                        },
                        "required": ["to"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        {"type": "object", "additionalProperties": {"type": "string", "pattern": ID_PATTERN}},
    ],
    "description": "Next steps: [a, b], or for a decision {label: step, ...}.",
}

StepKind = Annotated[
    Literal[
        "start",
        "task",
        "decision",
        "subprocess",
        "event",
        "end",
        "parallel",
        "inclusive",
        "event-based",
        "complex",
    ],
    _accept(_v.STEP_KINDS),
    _offer(_v.STEP_KINDS),
]
"""Step kinds: `decision` is an exclusive (XOR) gateway; `parallel` (AND), `inclusive` (OR),
`event-based` and `complex` are the other BPMN gateways, each a split or a join."""

GATEWAY_KINDS: tuple[str, ...] = ("decision", "parallel", "inclusive", "event-based", "complex")
"""Step kinds that route the flow instead of doing work."""
EVENT_KINDS: tuple[str, ...] = ("start", "event", "end")
"""Step kinds that are BPMN events."""

Trigger = Literal[
    "message",
    "timer",
    "signal",
    "conditional",
    "escalation",
    "error",
    "compensation",
    "terminate",
    "link",
    "cancel",
    "multiple",
    "parallel-multiple",
]
"""What starts, interrupts or results from an event (BPMN event definitions)."""

TaskType = Literal["user", "manual", "service", "script", "business-rule", "send", "receive"]
"""BPMN task types: who or what does the work."""


class Timer(Node):
    """When a timer event fires: one of a date, a duration or a cycle, as written."""

    date: str | None = None
    """A point in time, e.g. 2013-06-30 or 'the last working day of May'."""
    duration: str | None = None
    """A time to wait, e.g. P7D or '7 days'."""
    cycle: str | None = None
    """A repetition, e.g. R/P1W or 'every Monday'."""


class Phase(Node):
    """A phase of the process drawn across the lanes (a BPMN group)."""

    id: Id
    """Identifier, unique within the process."""
    name: Text
    """Name of the phase."""
    steps: list[Id] = _empty_list()
    """The steps inside the phase."""


class Step(Suppressible, Exemplary):
    """A step of a process flow: one symbol in the swimlane diagram."""

    id: Id
    """Identifier, unique within the process."""
    name: Text
    """What happens, as a verb phrase."""
    kind: StepKind = "task"
    """start, task, decision (exclusive gateway), subprocess, event, end, or a gateway:
    parallel, inclusive, event-based, complex."""
    role: Id | None = None
    """The role that performs it: its lane."""
    next: Annotated[list[Branch], WithJsonSchema(_NEXT_SCHEMA)] = _empty_list()
    """The next steps: a list of ids, or for a decision a map from branch label to step id."""
    call: Ref | None = None
    """For a subprocess: the process it drills down into."""
    documents: list[Id] = _empty_list()
    """Operating instructions used in the step (document ids)."""
    outputs: list[Text] = _empty_list()
    """What the step produces."""
    description: Text | None = None
    """What is done in the step, by whom, with which instructions."""
    task_type: TaskType | None = None
    """For a task: user, manual, service, script, business-rule, send or receive."""
    trigger: Trigger | None = None
    """For a start, event or end: its trigger (message, timer, signal, ...); unset: none."""
    catch: bool | None = None
    """For an intermediate event: True when it waits for its trigger (catch), False when it
    sends it (throw). Unset: timer, conditional and link events catch, others throw."""
    timer: Timer | None = None
    """For a timer event: when it fires."""
    link: str | None = None
    """For a link event: the link's name, which pairs a throwing link event with the catching
    one where the flow goes on (unset: the event's name)."""
    attached_to: Id | None = None
    """For an event: the step on whose border it sits (a BPMN boundary event); its `next`
    is the path taken when it fires."""
    interrupting: bool = True
    """For a boundary event or the start of a triggered subprocess: False when the work it
    interrupts goes on."""
    loop: Literal["standard", "parallel", "sequential"] | None = None
    """Repetition: a loop (standard), or one instance per item, in parallel or in sequence."""
    compensation: bool = False
    """For a task or subprocess: True when it only undoes other work (BPMN compensation)."""
    triggered: bool = False
    """For a subprocess: True when an event starts it, not a flow (BPMN event sub-process)."""
    produces: list[Id] = _empty_list()
    """Documents the step writes (document ids of the register)."""
    systems: list[Text] = _empty_list()
    """Information systems the step reads or writes (BPMN data stores)."""
    notes: list[Text] = _empty_list()
    """Remarks shown beside the step (BPMN text annotations)."""

    @field_validator("next", mode="before")
    @classmethod
    def _branches(cls, value: Any) -> Any:
        """Accept `[a, b]`, `{yes: a, no: b}` and `[{to: a, label: yes}]` alike."""
        if isinstance(value, str):
            return [{"to": value}]
        if isinstance(value, dict):
            return [{"to": target, "label": label} for label, target in value.items()]
        if isinstance(value, list):
            return [{"to": item} if isinstance(item, str) else item for item in value]
        return value


class Process(Document, Exemplary):
    """A process description: summary, SIPOC and the swimlane flow."""

    KIND: ClassVar[str] = "process"
    kind: Literal["process"]
    """Always `process`."""
    id: Id
    """Identifier, unique within the organisation."""
    organisation: Id
    """The owning organisation's id."""
    name: Text
    """Name, e.g. {fi: Talousprosessi, en: Finance process}."""
    type: Annotated[
        Literal["management", "core", "support"],
        _accept(_v.PROCESS_TYPES),
        _offer(_v.PROCESS_TYPES),
    ] = "core"
    """Band on the process map."""
    level: int = Field(default=2, ge=1, le=4)
    """Description level (JHS 152): 1 process map, 2 operating model, 3 flow, 4 work flow."""
    parent: Ref | None = None
    """The process one level up."""
    owner: Id | None = None
    """The role that owns the process."""
    purpose: Text | None = None
    """Why the process exists."""
    scope: Text | None = None
    """Where it starts and ends, and what it covers."""
    description: Text | None = None
    """Further description."""
    customers: list[Text] = _empty_list()
    """Who receives the process's outputs."""
    suppliers: list[Text] = _empty_list()
    """Who supplies its inputs."""
    inputs: list[Exchange] = _empty_list()
    """Inputs, each with the supplying process or party in `from`."""
    outputs: list[Exchange] = _empty_list()
    """Outputs, each with the receiving process or party in `to`."""
    resources: list[Text] = _empty_list()
    """People, systems and money the process needs."""
    systems: list[Text] = _empty_list()
    """Information systems of the process as a whole (BPMN data stores no step uses)."""
    realizes: list[Ref] = _empty_list()
    """Goal ids the process realizes."""
    influences: list[Ref] = _empty_list()
    """Goal ids the process contributes to indirectly."""
    metrics: list[Ref] = _empty_list()
    """Metric ids that measure the process."""
    documents: list[DocumentRef] = _empty_list()
    """Documents and operating instructions of the process."""
    risks: list[Risk] = _empty_list()
    """Risks and their handling."""
    review: Review | None = None
    """Review method and dates."""
    status: ApprovalStatus = "draft"
    """Approval status of the description."""
    version: str | None = None
    """Version of the description."""
    approved: Approval | None = None
    """Who approved it, and when."""
    steps: list[Step] = _empty_list()
    """The flow, as steps with lanes and next steps."""
    phases: list[Phase] = _empty_list()
    """Phases drawn across the lanes, each with its steps."""
    notes: list[Text] = _empty_list()
    """Remarks on the diagram as a whole (BPMN text annotations not attached to a step)."""


# --- plan ------------------------------------------------------------------------------------


class Action(Suppressible, Exemplary):
    """An action of a quality plan: what, who, when, with what, evaluated how."""

    id: Id
    """Identifier, unique within the plan."""
    what: Text
    """What is done."""
    who: Id | None = None
    """The responsible role."""
    when: Date | None = None
    """Due date."""
    resources: Text | None = None
    """Resources reserved for the action."""
    evaluated_by: list[Ref] = _empty_list()
    """Metric ids by which the action's effect is evaluated."""
    phase: (
        Annotated[Literal["plan", "do", "check", "act"], _accept(_v.PHASES), _offer(_v.PHASES)]
        | None
    ) = None
    """Phase of the quality cycle (EQAVET / PDCA)."""
    status: Annotated[
        Literal["planned", "started", "done", "dropped"],
        _accept(_v.ACTION_STATUS),
        _offer(_v.ACTION_STATUS),
    ] = "planned"
    """Progress of the action."""
    realizes: list[Ref] = _empty_list()
    """Goal ids the action realizes."""
    processes: list[Ref] = _empty_list()
    """Processes the action changes."""
    origin: Text | None = None
    """Where the need came from when not from a self-assessment: an audit finding, feedback."""
    description: Text | None = None
    """Further description."""


class Plan(Document, Exemplary):
    """A quality-management or development plan of an organisation."""

    KIND: ClassVar[str] = "plan"
    kind: Literal["plan"]
    """Always `plan`."""
    id: Id
    """Identifier, unique within the organisation."""
    organisation: Id
    """The owning organisation's id."""
    name: Text
    """Name of the plan."""
    description: Text | None = None
    """What the plan is for."""
    horizon: Date | None = None
    """The date the plan reaches to, e.g. 2015-12-31."""
    status: ApprovalStatus = "draft"
    """Approval status of the plan."""
    version: str | None = None
    """Version of the plan."""
    approved: Approval | None = None
    """Who approved it, and when."""
    actions: list[Action] = _empty_list()
    """The plan's actions."""


# --- metrics and results ---------------------------------------------------------------------


class MetricValue(Node):
    """A measured value in one period."""

    period: Id
    """The period id."""
    value: Value
    """The measured value."""
    note: Text | None = None
    """A comment on the value."""


class Metric(Suppressible, Exemplary):
    """A metric of the organisation's metric set (mittaristo)."""

    id: Id
    """Identifier, unique within the organisation."""
    name: Text
    """Name of the metric."""
    description: Text | None = None
    """What is measured and how."""
    unit: str | None = None
    """Unit, e.g. % or kpl."""
    baseline: Value | None = None
    """Starting level."""
    target: Value | None = None
    """Target level."""
    target_date: Date | None = None
    """When the target should be reached."""
    frequency: Text | None = None
    """How often it is measured, e.g. yearly."""
    source: Text | None = None
    """Where the data comes from."""
    owner: Id | None = None
    """The role responsible for the metric."""
    eqavet: int | None = Field(default=None, ge=1, le=10)
    """The EQAVET indicator (1-10) the metric corresponds to."""
    realizes: list[Ref] = _empty_list()
    """Goal ids the metric follows."""
    values: list[MetricValue] = _empty_list()
    """Measured values per period."""


class Metrics(Document):
    """An organisation's metric set (mittaristo)."""

    KIND: ClassVar[str] = "metrics"
    kind: Literal["metrics"]
    """Always `metrics`."""
    organisation: Id
    """The owning organisation's id."""
    name: Text | None = None
    """Name of the metric set."""
    metrics: list[Metric] = _empty_list()
    """The metrics."""


class Result(Suppressible, Exemplary):
    """What an organisation reported for one goal in one period."""

    period: Id
    """The period id."""
    goal: Ref
    """The goal id."""
    text: Text
    """What was achieved, as reported."""
    status: Annotated[
        Literal["achieved", "ongoing", "delayed", "not-started"],
        _accept(_v.RESULT_STATUS),
        _offer(_v.RESULT_STATUS),
    ] = "ongoing"
    """Where the work stands."""
    evidence: list[str] = _empty_list()
    """Links or document ids that show the result."""


class Results(Document):
    """An organisation's reported results per period and goal."""

    KIND: ClassVar[str] = "results"
    kind: Literal["results"]
    """Always `results`."""
    organisation: Id
    """The reporting organisation's id."""
    results: list[Result] = _empty_list()
    """The reported results."""


# --- the quality cycle: criteria sets and self-assessments ------------------------------------


class ScaleLevel(Node):
    """One level of a criteria set's rating scale, e.g. 2 alkava."""

    level: int = Field(ge=0, le=10)
    """The level's number; higher is better."""
    id: Id
    """Identifier, e.g. alkava."""
    name: Text
    """Name, e.g. {fi: Alkava, en: Emerging}."""
    description: Text | None = None
    """What an organisation at this level shows."""


class Statement(Node):
    """A statement (or descriptor) that an organisation rates itself against."""

    id: GoalId
    """Identifier, unique within the criteria set, e.g. J1.2."""
    text: Text
    """The statement, in the set's own words."""


class CriteriaItem(Node):
    """An item of an evaluation area: a group of statements rated together."""

    id: GoalId
    """Identifier, unique within the criteria set, e.g. J1."""
    name: Text
    """Name of the item."""
    statements: list[Statement] = _empty_list()
    """The statements or descriptors of the item."""


class CriteriaArea(Node):
    """An evaluation area, e.g. leadership (johtaminen)."""

    id: GoalId
    """Identifier, unique within the criteria set, e.g. J."""
    name: Text
    """Name of the area."""
    description: Text | None = None
    """What the area covers."""
    items: list[CriteriaItem] = _empty_list()
    """The area's items."""


class Criteria(Document, Exemplary):
    """A criteria set: areas -> items -> statements, with a rating scale and a threshold."""

    KIND: ClassVar[str] = "criteria"
    kind: Literal["criteria"]
    """Always `criteria`."""
    id: Id
    """Identifier, e.g. fi-vet-quality."""
    name: Text
    """Name of the criteria set."""
    description: Text | None = None
    """What the set is for and how it is used."""
    source_: Text | None = Field(default=None, alias="source")
    """Where the set comes from (cited, not quoted)."""
    version: str | None = None
    """Version of the set."""
    licence: str | None = None
    """Licence of the set's text."""
    scale: list[ScaleLevel] = Field(min_length=2)
    """The rating scale, lowest level first."""
    threshold: int
    """The lowest level at which a statement counts as functioning."""
    interval_months: int | None = Field(default=None, ge=1, le=120)
    """How often an assessment against the set should be repeated, in months."""
    areas: list[CriteriaArea] = _empty_list()
    """The evaluation areas."""


class Rating(Suppressible, Exemplary):
    """An organisation's rating of one statement, with its rationale and evidence."""

    statement: GoalId
    """The statement id in the criteria set."""
    level: int | None = None
    """The level on the set's scale; empty when the statement was not rated."""
    rationale: Text | None = None
    """Why this level: what the organisation does and what it lacks."""
    evidence: list[str] = _empty_list()
    """What shows it: `process:ID`, `plan:ID`, `action:PLAN/ID`, `metric:ID`,
    `result:GOAL/PERIOD`, `document:ID` or a link (https://...)."""


class Improvement(Suppressible, Exemplary):
    """An area for improvement, from a self-assessment, an audit or feedback."""

    id: Id
    """Identifier, unique within the assessment."""
    text: Text
    """What should get better."""
    statements: list[GoalId] = _empty_list()
    """The statements (or items, areas) it concerns."""
    actions: list[
        Annotated[
            str,
            StringConstraints(
                pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*){1,2}$",
                max_length=200,
            ),
        ]
    ] = []
    """The plan actions that address it, as `PLAN/ACTION` (or `ORG/PLAN/ACTION`)."""


class Assessment(Document, Exemplary):
    """An organisation's self-assessment against one criteria set for one period."""

    KIND: ClassVar[str] = "assessment"
    kind: Literal["assessment"]
    """Always `assessment`."""
    id: Id
    """Identifier, unique within the organisation."""
    organisation: Id
    """The assessed organisation's id."""
    criteria: Id
    """The criteria set's id (one of the workspace's or one shipped with qms)."""
    period: Id | None = None
    """The reporting period the assessment belongs to."""
    date: dt.date
    """When the assessment was made."""
    name: Text | None = None
    """Name, e.g. Itsearviointi syksy 2012."""
    method: Text | None = None
    """How it was made, e.g. the quality group's workshop."""
    assessors: list[Id] = _empty_list()
    """The roles that took part."""
    ratings: list[Rating] = _empty_list()
    """A rating per statement."""
    strengths: list[Text] = _empty_list()
    """Strengths the assessment found."""
    improvements: list[Improvement] = _empty_list()
    """Areas for improvement, each linked to the plan actions that address it."""


DOCUMENT_KINDS: dict[str, type[Document]] = {
    cls.KIND: cls
    for cls in (
        WorkspaceSettings,
        Project,
        Organisation,
        Process,
        Plan,
        Metrics,
        Results,
        Criteria,
        Assessment,
    )
}
"""Model classes by the value of their `kind:` key."""


def text(value: str | dict[str, str] | None, lang: str, fallback: str = "fi") -> str:
    """Pick a multilingual text in `lang`, falling back to `fallback`, then to any language.

    >>> text({"fi": "Talous", "en": "Finance"}, "en")
    'Finance'
    >>> text("Talous", "en")
    'Talous'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for candidate in (lang, fallback, *LANGUAGES):
        if candidate in value:
            return value[candidate]
    return next(iter(value.values()), "")


class Workspace(BaseModel):
    """A loaded workspace: its settings and every document, in file order.

    Not a file of its own: the loader assembles it from the documents it read.
    """

    # Never validated by the loader (`assemble` makes it of documents it has validated), so
    # its validator, which would hold every document class's schema, is built only on demand.
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    root: str
    """The workspace folder as the user named it."""
    settings: WorkspaceSettings
    """The contents of qms.yaml."""
    projects: tuple[Project, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    processes: tuple[Process, ...] = ()
    plans: tuple[Plan, ...] = ()
    metrics: tuple[Metrics, ...] = ()
    results: tuple[Results, ...] = ()
    criteria: tuple[Criteria, ...] = ()
    """Criteria sets written in the workspace (the sets shipped with qms come on top)."""
    assessments: tuple[Assessment, ...] = ()
    unloaded: tuple[tuple[str, str, str], ...] = ()
    """(kind, organisation, id) of documents that failed to load: references to them are not
    reported again as unknown, so one broken file gives one set of findings, not a cascade."""

    @property
    def language(self) -> str:
        """The workspace's default language."""
        return self.settings.language

    @property
    def members(self) -> tuple[Organisation, ...]:
        """The network's member organisations: all but predecessor units (`merges_into`),
        which are counted, covered and published with none of the members."""
        return tuple(o for o in self.organisations if o.merges_into is None)

    def documents(self) -> tuple[Document, ...]:
        """Every document, settings first, then by kind in a fixed order."""
        return (
            self.settings,
            *self.projects,
            *self.organisations,
            *self.processes,
            *self.plans,
            *self.metrics,
            *self.results,
            *self.criteria,
            *self.assessments,
        )


def documented() -> None:
    """Give every model field the description its attribute docstring holds, for the JSON
    schema and docs/model.md (idempotent).

    Not done at import (pydantic's `use_attribute_docstrings`): pydantic finds the docstrings
    by parsing each class's source, a fifth of importing the model, which loading and checking
    a workspace never need. The same pydantic function reads them here, and each class is
    rebuilt, in the order it was defined (parts before the wholes that embed them), so that
    its schema carries them; inherited fields are described by their base's docstring.
    """
    from pydantic._internal._docs_extraction import extract_docstrings_from_cls

    if _DOCUMENTED:
        return
    for cls in list(globals().values()):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls.__module__ != __name__:
            continue
        docs: dict[str, str] = {}
        for base in reversed(cls.__mro__):  # inherited fields keep their base's docstring
            if base.__module__ == __name__:
                docs.update(extract_docstrings_from_cls(base, use_inspect=True))
        for name, info in cls.model_fields.items():
            if info.description is None and name in docs:
                info.description = docs[name]
        cls.model_rebuild(force=True)
    _DOCUMENTED.append(True)


_DOCUMENTED: list[bool] = []

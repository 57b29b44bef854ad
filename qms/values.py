"""Enumerated values in the user's language: Finnish and Swedish names for every English value.

A Finnish quality group writes `status: valmis`, `phase: tarkistus`, `kind: päätös`; a
Finland-Swedish one `status: klar`. The model accepts these names (any letter case, with or
without ä/ö/å) as the English value they stand for, the JSON Schema offers them for completion,
and messages name values in the message's language (`named(value)` in a rule's parameters).

>>> canonical("Päätös", STEP_KINDS)
'decision'
>>> canonical("tarkistus", PHASES)
'check'
>>> name_of("started", "fi")
'aloitettu'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Names = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
"""English value -> (Finnish names, Swedish names); the first name is the one shown."""

STEP_KINDS: Names = {
    "start": (("alku", "aloitus"), ("start", "början")),
    "task": (("tehtävä", "työvaihe", "vaihe"), ("uppgift", "aktivitet")),
    "decision": (("päätös", "valinta"), ("beslut",)),
    "subprocess": (("aliprosessi",), ("delprocess",)),
    "event": (("tapahtuma",), ("händelse",)),
    "end": (("loppu", "lopetus"), ("slut",)),
    "parallel": (("rinnakkain", "rinnakkaisuus"), ("parallell",)),
    "inclusive": (("inklusiivinen",), ("inkluderande",)),
    "event-based": (("tapahtumaperusteinen",), ("händelsebaserad",)),
    "complex": (("monimutkainen",), ("komplex",)),
}
PROCESS_TYPES: Names = {
    "management": (("johtaminen", "johtamisprosessi"), ("ledning", "ledningsprocess")),
    "core": (("ydin", "ydinprosessi"), ("kärna", "kärnprocess")),
    "support": (("tuki", "tukiprosessi"), ("stöd", "stödprocess")),
}
APPROVAL: Names = {
    "draft": (("luonnos",), ("utkast",)),
    "approved": (("hyväksytty",), ("godkänd",)),
    "retired": (("poistettu käytöstä", "poistettu", "vanhentunut"), ("indragen",)),
}
PHASES: Names = {
    "plan": (("suunnittelu", "suunnittele"), ("planering", "planera")),
    "do": (("toteutus", "toteuta", "tee"), ("genomförande", "genomför")),
    "check": (("arviointi", "tarkistus", "arvioi", "tarkista"), ("uppföljning", "utvärdering")),
    "act": (("parantaminen", "kehittäminen", "paranna"), ("förbättring", "åtgärd")),
}
ACTION_STATUS: Names = {
    "planned": (("suunniteltu",), ("planerad",)),
    "started": (("aloitettu", "käynnissä"), ("påbörjad", "pågår")),
    "done": (("tehty", "valmis"), ("klar", "gjord")),
    "dropped": (("luovuttu", "hylätty", "peruttu"), ("slopad", "inställd")),
}
RESULT_STATUS: Names = {
    "achieved": (("saavutettu",), ("uppnådd",)),
    "ongoing": (("käynnissä", "kesken"), ("pågående",)),
    "delayed": (("viivästynyt", "myöhässä"), ("försenad",)),
    "not-started": (("ei aloitettu", "aloittamatta"), ("inte påbörjad", "ej påbörjad")),
}
LEVELS: Names = {
    "low": (("pieni", "matala", "vähäinen"), ("låg", "liten")),
    "medium": (("kohtalainen", "keskitaso", "keskisuuri"), ("medel", "måttlig")),
    "high": (("suuri", "korkea"), ("hög", "stor")),
}
ORGANISATION_TYPES: Names = {
    "provider": (("järjestäjä", "koulutuksen järjestäjä"), ("anordnare", "utbildningsanordnare")),
    "coordinator": (("koordinaattori",), ("koordinator",)),
    "partner": (("kumppani",), ("partner",)),
    "other": (("muu",), ("annan", "övrig")),
}
SEVERITIES: Names = {
    "error": (("virhe",), ("fel",)),
    "warning": (("varoitus",), ("varning",)),
    "info": (("huomio",), ("information",)),
    "off": (("pois",), ("av",)),
}
PRESETS: Names = {
    "recommended": (("suositeltu",), ("rekommenderad",)),
    "strict": (("tiukka",), ("strikt",)),
    "all": (("kaikki",), ("alla",)),
}
ALL: tuple[Names, ...] = (
    STEP_KINDS,
    PROCESS_TYPES,
    APPROVAL,
    PHASES,
    ACTION_STATUS,
    RESULT_STATUS,
    LEVELS,
    ORGANISATION_TYPES,
    SEVERITIES,
    PRESETS,
)

_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a"})


def _key(word: str) -> str:
    return " ".join(word.casefold().translate(_FOLD).replace("-", " ").replace("_", " ").split())


def canonical(value: Any, names: Names) -> Any:
    """The English value a Finnish, Swedish or English name stands for; anything else as is
    (validation then reports it, naming the values in the message's language)."""
    if not isinstance(value, str) or value in names:
        return value
    key = _key(value)
    for english, (fi, sv) in names.items():
        if key == _key(english) or any(key == _key(n) for n in (*fi, *sv)):
            return english
    return value


def aliases(names: Names) -> list[str]:
    """Every Finnish and Swedish name of a set of values, for the JSON Schema's completion."""
    out: list[str] = []
    for fi, sv in names.values():
        out += [n for n in (*fi, *sv) if n not in out and n not in names]
    return out


def name_of(value: str, lang: str) -> str:
    """A value as `lang` names it: `started` is 'aloitettu' in Finnish, 'påbörjad' in Swedish."""
    for names in ALL:
        if value in names:
            fi, sv = names[value]
            if lang == "fi":
                return fi[0]
            if lang == "sv":
                return sv[0]
            return value
    return value


def spoken(options: list[str], lang: str) -> list[str]:
    """Every name of the given values in `lang` (for guessing what a misspelt value meant)."""
    for names in ALL:
        if set(options) <= set(names):
            fi_sv = [names[o][0 if lang == "fi" else 1] for o in options]
            if lang not in ("fi", "sv"):
                return list(options)
            return [n for group in fi_sv for n in group]
    return list(options)


@dataclass(frozen=True)
class Named:
    """A value in a message's parameters: shown by its name in each message's language."""

    value: str

    def text(self, lang: str) -> str:
        """The value as `lang` names it."""
        return name_of(self.value, lang)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class NamedList:
    """Several values in a message, each named in the message's language."""

    values: tuple[str, ...]

    def text(self, lang: str) -> str:
        """The values as `lang` names them, comma-separated."""
        return ", ".join(name_of(v, lang) for v in self.values)


def named(value: str) -> Named:
    """Mark a parameter as an enumerated value: `problem(..., status=named(action.status))`."""
    return Named(value)

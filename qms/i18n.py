"""Message catalogue for the loader and the reports, in English and Finnish, and the gettext
catalogues of interface texts (qms/locale/<lang>/LC_MESSAGES/qms.po).

Rule messages live with their rules; this holds what the loader and the CLI say. Texts that
translators maintain (today: the rule summaries that `qms rules list` prints) are in gettext
.po files, read with Babel's .po reader the first time a text in that language is asked
for, so `qms --help` never reads them. The English text is the msgid; `qms/locale/qms.pot`
is generated (`make docs`) and the Finnish and Swedish catalogues translate it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from qms.findings import Msg

LOCALE = Path(__file__).parent / "locale"
"""Where the gettext catalogues are: LOCALE/<lang>/LC_MESSAGES/qms.po, and the template."""
DOMAIN = "qms"
RULE_SUMMARY = "rule summary"
"""The message context of the rules' one-line summaries."""


@lru_cache(maxsize=8)
def catalogue(lang: str) -> dict[tuple[str | None, str], str]:
    """(context, English text) -> the translation into `lang`, from its .po file; empty when
    there is none. Untranslated and fuzzy entries are left out (the English text is shown)."""
    from babel.messages.pofile import read_po

    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with path.open("rb") as handle:
            read = read_po(handle, locale=lang, domain=DOMAIN)
    except (OSError, ValueError):
        return {}
    return {
        (m.context, str(m.id)): str(m.string)
        for m in read
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def translate(text: str, lang: str, context: str | None = None) -> str:
    """`text` (English) in `lang`, or the English text when the catalogue has no translation."""
    if lang == "en" or not text:
        return text
    return catalogue(lang).get((context, text), text)


def pick_lang(option: str | None, workspace_lang: str | None) -> str:
    """--lang, then $QMS_LANG, then the workspace's language, then English."""
    for candidate in (option, os.environ.get("QMS_LANG"), workspace_lang):
        if candidate in ("fi", "en"):
            return candidate
    return "en"


SEVERITY_WORD = {
    "en": {"error": "error", "warning": "warning", "info": "info"},
    "fi": {"error": "virhe", "warning": "varoitus", "info": "huomio"},
}

# --- QMS001 unreadable-file ------------------------------------------------------------------
YAML_SYNTAX = Msg(
    en="YAML syntax error: {problem}{hint}",
    fi="YAML-syntaksivirhe: {problem}{hint}",
)
HINT_TABS = Msg(
    en="; indent with spaces, not tabs",
    fi="; sisennä välilyönneillä, ei sarkaimilla",
)
HINT_COLON = Msg(
    en="; check this line's indentation, and put a text that holds ': ' in quotes",
    fi="; tarkista rivin sisennys, ja kirjoita teksti, jossa on ': ', lainausmerkkeihin",
)
NOT_UTF8 = Msg(
    en="the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8",
    fi="tiedosto ei ole UTF-8-tekstiä (tavu 0x{byte:02x}); tallenna se UTF-8-muodossa",
)
EMPTY_FILE = Msg(
    en="the file is empty; a model file starts with `kind:`",
    fi="tiedosto on tyhjä; mallitiedosto alkaa avaimella `kind:`",
)
MANY_DOCUMENTS = Msg(
    en="the file holds more than one YAML document; put each in a file of its own",
    fi="tiedostossa on useampi YAML-dokumentti; tee kustakin oma tiedostonsa",
)
NOT_MAPPING = Msg(
    en="the file does not hold a mapping (key: value); a model file starts with `kind:`",
    fi="tiedosto ei sisällä avain: arvo -rakennetta; mallitiedosto alkaa avaimella `kind:`",
)
BAD_TAG = Msg(
    en="the tag '{tag}' has no place in a model file; write the value without it",
    fi="tunnisteella '{tag}' ei ole paikkaa mallitiedostossa; kirjoita arvo ilman sitä",
)
BAD_SCALAR = Msg(
    en="'{value}' is not a valid {kind} ({detail}); write it as plain text or fix it",
    fi="'{value}' ei kelpaa tyypiksi {kind} ({detail}); kirjoita se tekstinä tai korjaa se",
)
CONTROL_CHARACTER = Msg(
    en="the text holds the control character {char} at character {index}; remove it (it "
    "cannot be printed, nor saved in DOCX, SVG or BPMN)",
    fi="tekstissä on ohjausmerkki {char} merkin {index} kohdalla; poista se (sitä ei voi "
    "tulostaa eikä tallentaa DOCX-, SVG- tai BPMN-tiedostoon)",
)
NOT_FINITE = Msg(
    en="expected a finite number, got {value}",
    fi="odotettiin äärellistä lukua, saatiin {value}",
)
TOO_LARGE = Msg(
    en="the file is {size} bytes, more than the limit of {limit}; split it",
    fi="tiedoston koko on {size} tavua, yli rajan {limit}; jaa se osiin",
)
TOO_DEEP = Msg(
    en="the file nests deeper than {limit} levels",
    fi="tiedoston sisäkkäisyys on yli {limit} tasoa",
)
TOO_MANY_ALIASES = Msg(
    en="the file uses {count} aliases (*name), more than the limit of {limit}",
    fi="tiedostossa on {count} viittausta (*nimi), yli rajan {limit}",
)
DUPLICATE_KEY = Msg(
    en="the key '{key}' appears twice in one mapping (first at line {first})",
    fi="avain '{key}' esiintyy kahdesti samassa rakenteessa (ensin rivillä {first})",
)
UNREADABLE = Msg(
    en="cannot read the file: {reason}",
    fi="tiedostoa ei voi lukea: {reason}",
)
SYMLINK_OUT = Msg(
    en="symbolic link leads outside the workspace (to {target}); not read",
    fi="symbolinen linkki osoittaa työtilan ulkopuolelle ({target}); ei luettu",
)
DIRECTORY_NAMED_YAML = Msg(
    en="'{name}' is a folder, not a model file; skipped",
    fi="'{name}' on kansio eikä mallitiedosto; ohitettu",
)

# --- QMS002 schema-mismatch ------------------------------------------------------------------
NO_KIND = Msg(
    en="the document has no `kind:` key; start it with one of: {kinds}",
    fi="dokumentista puuttuu avain `kind:`; aloita se jollakin näistä: {kinds}",
)
UNKNOWN_KIND = Msg(
    en="unknown kind '{kind}'{hint}; the kinds are: {kinds}",
    fi="tuntematon kind '{kind}'{hint}; lajit ovat: {kinds}",
)
WORKSPACE_ELSEWHERE = Msg(
    en="`kind: workspace` belongs in qms.yaml at the workspace root",
    fi="`kind: workspace` kuuluu työtilan juuren tiedostoon qms.yaml",
)
ROOT_NOT_WORKSPACE = Msg(
    en="qms.yaml must be `kind: workspace`, not '{kind}'",
    fi="qms.yaml-tiedoston pitää olla `kind: workspace`, ei '{kind}'",
)
DID_YOU_MEAN = Msg(en="; did you mean '{word}'?", fi="; tarkoititko '{word}'?")
ALLOWED_KEYS = Msg(en="; allowed keys: {keys}", fi="; sallitut avaimet: {keys}")
UNKNOWN_KEY = Msg(en="unknown key '{key}'{hint}", fi="tuntematon avain '{key}'{hint}")
MISSING_KEY = Msg(en="required key '{key}' is missing", fi="pakollinen avain '{key}' puuttuu")
EXPECTED_TEXT = Msg(
    en="expected text, got {got}{hint}",
    fi="odotettiin tekstiä, saatiin {got}{hint}",
)
HINT_QUOTE = Msg(
    en="; put it in quotes to keep it as text: '{value}'",
    fi="; kirjoita se lainausmerkkeihin, niin se säilyy tekstinä: '{value}'",
)
EXPECTED_TEXT_OR_LANGS = Msg(
    en="expected text or a map of languages such as {{fi: ..., en: ...}}, got {got}",
    fi="odotettiin tekstiä tai kielikarttaa kuten {{fi: ..., en: ...}}, saatiin {got}",
)
UNKNOWN_LANGUAGE = Msg(
    en="unknown language '{code}'{hint}; use fi, en, sv or se",
    fi="tuntematon kieli '{code}'{hint}; käytä koodeja fi, en, sv tai se",
)
HINT_FLOW_COMMA = Msg(
    en="; a comma inside {{...}} ends the text: put the text in quotes",
    fi="; pilkku {{...}}-rakenteen sisällä katkaisee tekstin: kirjoita teksti lainausmerkkeihin",
)
BAD_ID = Msg(
    en="'{value}' is not a valid id: use letters a-z and A-Z, digits, '-', '_' and '.', "
    "starting with a letter or digit (Finnish letters belong in names){hint}",
    fi="'{value}' ei kelpaa tunnisteeksi: käytä kirjaimia a-z ja A-Z, numeroita, '-', '_' ja "
    "'.', alussa kirjain tai numero (ääkköset kuuluvat nimiin){hint}",
)
NOT_ONE_OF = Msg(
    en="'{value}' is not one of: {expected}{hint}",
    fi="'{value}' ei ole mikään näistä: {expected}{hint}",
)
EXPECTED_INT = Msg(
    en="expected a whole number, got {got}", fi="odotettiin kokonaislukua, saatiin {got}"
)
EXPECTED_NUMBER = Msg(
    en="expected a number or text, got {got}", fi="odotettiin lukua tai tekstiä, saatiin {got}"
)
EXPECTED_BOOL = Msg(
    en="expected true or false, got {got}", fi="odotettiin true tai false, saatiin {got}"
)
OUT_OF_RANGE = Msg(
    en="{value} is out of range: {bound}", fi="{value} on sallitun alueen ulkopuolella: {bound}"
)
BAD_DATE = Msg(
    en="'{value}' is not a date: write dates as YYYY-MM-DD, e.g. 2012-12-31",
    fi="'{value}' ei ole päivämäärä: kirjoita päivämäärät muodossa VVVV-KK-PP, esim. 2012-12-31",
)
EXPECTED_LIST = Msg(
    en="expected a list, got {got}; write `- item` lines or [a, b]",
    fi="odotettiin listaa, saatiin {got}; kirjoita `- kohta` -rivejä tai [a, b]",
)
EXPECTED_MAPPING = Msg(
    en="expected a mapping (key: value), got {got}",
    fi="odotettiin avain: arvo -rakennetta, saatiin {got}",
)
EMPTY_VALUE = Msg(en="must not be empty", fi="ei saa olla tyhjä")
TOO_LONG = Msg(
    en="is too long: at most {limit} characters", fi="on liian pitkä: enintään {limit} merkkiä"
)
OTHER_SCHEMA = Msg(en="{detail}", fi="{detail}")

TYPE_NAMES = {
    "en": {
        "str": "text",
        "int": "a number",
        "float": "a number",
        "bool": "true/false",
        "list": "a list",
        "dict": "a mapping",
        "NoneType": "nothing",
        "date": "a date",
        "datetime": "a date and time",
    },
    "fi": {
        "str": "tekstiä",
        "int": "luku",
        "float": "luku",
        "bool": "totuusarvo",
        "list": "lista",
        "dict": "avain: arvo -rakenne",
        "NoneType": "tyhjä arvo",
        "date": "päivämäärä",
        "datetime": "aikaleima",
    },
}

# --- CLI -------------------------------------------------------------------------------------
NOT_A_WORKSPACE = Msg(
    en="{path} is not a qms workspace: it has no qms.yaml (create one with `qms init {path}`)",
    fi="{path} ei ole qms-työtila: siitä puuttuu qms.yaml (luo sellainen: `qms init {path}`)",
)
NO_SUCH_PATH = Msg(en="{path} does not exist", fi="{path} ei ole olemassa")

"""`qms compare` on JEDU's merger case in models/lamppu: alignment, side by side, draft."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from qms.cli import cli
from qms.load import load
from tests.conftest import LAMPPU


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_jedu_predecessors_are_aligned() -> None:
    code, out = run("compare", str(LAMPPU), "jedu-a", "JEDU-B", "--format", "json")
    assert code == 0, out
    result = json.loads(out)
    assert [(p["a"], p["b"]) for p in result["pairs"]] == [
        ("opiskelijavalinta", "hakeutuminen-ja-valinta"),
        ("palautteen-kasittely", "palaute"),
    ]
    assert [p["id"] for p in result["only_a"]] == ["itsearviointi"]
    assert [p["id"] for p in result["only_b"]] == ["tyossaoppiminen"]
    # Invented predecessor units: said so, on every process name too.
    assert any("Esimerkkisisältöä: jedu-a" in n and "keksitty" in n for n in result["notices"])
    assert "jedu-b on organisaatioon jedu yhdistyvä edeltäjäyksikkö" in " ".join(result["notices"])
    assert result["pairs"][0]["name_a"] == "Opiskelijavalinta (esimerkki)"
    assert result["only_b"][0]["name"].endswith("(esimerkki)")
    admission = result["pairs"][0]
    assert admission["evidence"]["type"] == 1.0 and admission["evidence"]["goals"] == 1.0
    steps = admission["steps"]
    assert ["Käsitellään hakemukset", "Käsitellään hakemukset"] in steps["both"]
    assert ["Tiedotetaan valinnasta", "Tiedotetaan valinnasta hakijoille"] in steps["both"]
    assert steps["only_a"] == [
        "Järjestetään valintakoe",
        "Ilmoitetaan hakijalle kielteisestä päätöksestä",
    ]
    assert "Haastatellaan hakijat soveltuvuudesta" in steps["only_b"]
    assert admission["roles"]["only_a"] == ["Rehtori"]
    assert admission["roles"]["only_b"] == ["Koulutusjohtaja"]
    assert admission["documents"]["only_b"] == ["Soveltuvuushaastattelun runko"]
    assert admission["metrics"]["only_a"] == ["Ensisijaiset hakijat aloituspaikkaa kohden"]
    code, md = run("compare", str(LAMPPU), "jedu-a", "jedu-b", "--format", "markdown")
    assert "| Järjestetään valintakoe | — |" in md
    assert (
        "## Vain organisaatiolla jedu-b\n\n- Työssäoppimisen järjestäminen (esimerkki) "
        "(`tyossaoppiminen`)" in md
    )


def test_alignment_file_round_trip_and_hand_correction(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.yaml"
    code, out = run("compare", str(LAMPPU), "jedu-a", "jedu-b", "--save-alignment", str(pairs))
    assert code == 0, out
    saved = pairs.read_text(encoding="utf-8")
    assert "  - {a: palautteen-kasittely, b: palaute, score: " in saved
    # The quality group decides that self-evaluation and feedback belong together instead.
    corrected = saved.replace(
        "{a: palautteen-kasittely, b: palaute,", "{a: itsearviointi, b: palaute,"
    )
    pairs.write_text(corrected, encoding="utf-8")
    code, out = run(
        "compare",
        str(LAMPPU),
        "jedu-a",
        "jedu-b",
        "--alignment",
        str(pairs),
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert code == 0, out
    result = json.loads(out)
    assert [(p["a"], p["b"], p["by_hand"]) for p in result["pairs"]] == [
        ("itsearviointi", "palaute", True),  # in the order of A's processes
        ("opiskelijavalinta", "hakeutuminen-ja-valinta", True),
    ]
    assert [p["id"] for p in result["only_a"]] == ["palautteen-kasittely"]
    # Saving again without --force does not overwrite the hand-corrected file.
    code, out = run("compare", str(LAMPPU), "jedu-a", "jedu-b", "--save-alignment", str(pairs))
    assert code == 2
    assert pairs.read_text(encoding="utf-8") == corrected
    # A pair naming a process that does not exist is refused with the reason.
    pairs.write_text(corrected.replace("b: palaute,", "b: palautteet,"), encoding="utf-8")
    code, out = run("compare", str(LAMPPU), "jedu-a", "jedu-b", "--alignment", str(pairs))
    assert code == 2 and "jedu-b has no process 'palautteet'" in out


def test_draft_is_a_valid_workspace_part(tmp_path: Path) -> None:
    out_dir = tmp_path / "draft"
    code, out = run(
        "compare",
        str(LAMPPU),
        "jedu-a",
        "jedu-b",
        "--draft",
        "-o",
        str(out_dir),
        "--into",
        "jedu-yhteinen",
    )
    assert code == 0, out
    written = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    base = "organisations/jedu-yhteinen"
    assert written == [
        f"{base}/metrics.yaml",
        f"{base}/organisation.yaml",
        f"{base}/processes/itsearviointi.yaml",
        f"{base}/processes/opiskelijavalinta.yaml",
        f"{base}/processes/palautteen-kasittely.yaml",
        f"{base}/processes/tyossaoppiminen.yaml",
    ]
    admission = (out_dir / base / "processes/opiskelijavalinta.yaml").read_text(encoding="utf-8")
    assert "#   - Haastatellaan hakijat soveltuvuudesta" in admission
    # Dropped into a copy of the workspace, the draft loads and validates without errors.
    ws = tmp_path / "ws"
    shutil.copytree(LAMPPU, ws)
    shutil.copytree(out_dir / "organisations", ws / "organisations", dirs_exist_ok=True)
    code, out = run("validate", str(ws), "--lang", "en")
    assert code == 0, out
    loaded = load(ws)
    assert loaded.workspace is not None
    merged = [p for p in loaded.workspace.processes if p.organisation == "jedu-yhteinen"]
    work = next(p for p in merged if p.id == "tyossaoppiminen")
    assert work.inputs[0].from_ == "opiskelijavalinta"  # B's admission is A's in the draft
    # A second run without --force refuses to overwrite a changed file.
    (out_dir / base / "organisation.yaml").write_text("# edited\n", encoding="utf-8")
    code, out = run(
        "compare",
        str(LAMPPU),
        "jedu-a",
        "jedu-b",
        "--draft",
        "-o",
        str(out_dir),
        "--into",
        "jedu-yhteinen",
    )
    assert code == 2
    assert (out_dir / base / "organisation.yaml").read_text(encoding="utf-8") == "# edited\n"


def test_network_view_and_refusals(tmp_path: Path) -> None:
    code, out = run("compare", str(LAMPPU), "--format", "json")
    assert code == 0, out
    clusters = json.loads(out)
    # Every process of every member appears exactly once; predecessor units are no members.
    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    members = sorted((o, p) for c in clusters for o, p in c["members"].items())
    member_ids = {o.id for o in loaded.workspace.members}
    assert members == sorted(
        (p.organisation, p.id) for p in loaded.workspace.processes if p.organisation in member_ids
    )
    assert not {o for o, _ in members} & {"jedu-a", "jedu-b"}
    # Were the two units members, the network would show their equivalent processes together.
    ws = tmp_path / "ws"
    shutil.copytree(LAMPPU, ws)
    for unit in ("jedu-a", "jedu-b"):
        path = ws / "organisations" / unit / "organisation.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("merges_into: jedu\n", ""))
    code, out = run("compare", str(ws), "--format", "json")
    assert code == 0, out
    admission = next(
        c for c in json.loads(out) if c["members"].get("jedu-a") == "opiskelijavalinta"
    )
    assert admission["members"] == {
        "jedu-a": "opiskelijavalinta",
        "jedu-b": "hakeutuminen-ja-valinta",
    }
    assert admission["name"] == "Opiskelijavalinta (esimerkki)"
    code, out = run("compare", str(LAMPPU), "jedu-a", "--lang", "en")
    assert code == 2 and "give two organisations" in out
    code, out = run("compare", str(LAMPPU), "jedu-a", "jedu-c", "--lang", "en")
    assert code == 2 and "unknown organisation 'jedu-c'" in out
    code, out = run("compare", str(LAMPPU), "jedu-a", "jedu-b", "--draft", "--lang", "en")
    assert code == 2 and "--draft needs -o DIR" in out

"""The medicine resolver and its data file: real data, the real drug library, no mocks.

The drug library takes over a second to import; it is imported at most once here (the first
test that needs it), and the laziness test runs in a subprocess of its own.
"""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import yaml
from hypothesis import strategies as st

from musclewise.errors import KnowledgeError
from musclewise.knowledge.medicine_schema import CLASS_IDS, MedicinesFile
from musclewise.medicines import MedicineMatch, MedicineResolver, load_medicines, name_key

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "musclewise" / "knowledge" / "data" / "medicines.yaml"

EXPECTED_CLASSES = {
    "thiazide_diuretic", "loop_diuretic", "potassium_sparing_diuretic", "statin",
    "beta2_agonist", "calcium_channel_blocker", "beta_blocker_isa", "raloxifene", "teriparatide",
    "conjugated_oestrogens", "combined_hormonal_contraception", "stimulant",
    "sedating_antihistamine", "iron_sucrose", "naproxen", "imatinib", "corticosteroid", "opioid",
    "fibrate", "ciclosporin", "quinine", "ace_inhibitor", "angiotensin_receptor_blocker",
    "lithium", "cholinesterase_inhibitor", "bisphosphonate",
}  # fmt: skip
DIURETICS = {"thiazide_diuretic", "loop_diuretic", "potassium_sparing_diuretic"}
ALLOWED_SOURCES = {
    "NICE", "NHS_CRAMPS", "NHS_CRAMPS_OLD", "GARRISON", "REMEDY", "BMJBP", "AFP2012", "RABBITT",
    "MAYO_STATIN", "MERCK_HOME", "MERCK_HOME2", "BFS_VW", "MEDLINE", "FDA_Q", "MHRA_MIMS",
    "COCH_PREG", "NHS_DVT", "AAN", "DRUGBANK", "BNF",
}  # fmt: skip
GEMFIBROZIL = "DB01241"


@pytest.fixture(scope="session")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def table(raw: dict[str, Any]) -> MedicinesFile:
    return load_medicines(raw)


@pytest.fixture(scope="session")
def resolver(table: MedicinesFile) -> MedicineResolver:
    return MedicineResolver(table)


@pytest.fixture(scope="session")
def find_drugs() -> Callable[..., list[tuple[dict[str, Any], int, int]]]:
    from drug_named_entity_recognition import find_drugs as library_find_drugs

    return library_find_drugs  # type: ignore[no-any-return]


def broken(raw: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> str:
    """The error message for a copy of the data with one edit."""
    data = copy.deepcopy(raw)
    edit(data)
    with pytest.raises(KnowledgeError) as info:
        load_medicines(data)
    return str(info.value)


def add_term(term: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """An edit that appends one lay term."""
    return lambda data: data["lay_terms"].append(term)


# --------------------------------------------------------------------------- the data file


def test_the_data_file_validates(table: MedicinesFile) -> None:
    assert table.version
    assert {c.id for c in table.classes} == EXPECTED_CLASSES == set(CLASS_IDS)
    assert 400 <= len(table.drugs) <= 500
    assert len(table.lay_terms) >= 50
    # the common medicines in no class, so that a typical list never needs the drug library
    assert sum(1 for d in table.drugs if not d.classes) >= 200


def test_every_class_drug_and_term_has_a_source(table: MedicinesFile) -> None:
    entries = [(f"class {c.id}", c.sources) for c in table.classes]
    entries += [(f"drug {d.name}", d.sources) for d in table.drugs]
    entries += [(f"term {t.term}", t.sources) for t in table.lay_terms]
    assert all(sources for _, sources in entries)
    cited = {s for _, sources in entries for s in sources}
    assert cited <= ALLOWED_SOURCES, cited - ALLOWED_SOURCES
    assert all("DRUGBANK" in d.sources for d in table.drugs), "DrugBank backs every name and id"


def test_every_class_is_reachable(table: MedicinesFile) -> None:
    used = {c for d in table.drugs for c in d.classes}
    used |= {c for t in table.lay_terms for c in t.classes or ()}
    assert used == EXPECTED_CLASSES


def test_class_notes_are_one_plain_sentence(table: MedicinesFile) -> None:
    for cls in table.classes:
        assert cls.note.endswith("."), cls.id
        assert cls.note.count(". ") == 0, f"{cls.id}: one sentence"


def test_drug_names_agree_with_the_library(
    table: MedicinesFile, find_drugs: Callable[..., list[tuple[dict[str, Any], int, int]]]
) -> None:
    """Every spelling the library knows lands on the same DrugBank id (or on none)."""
    # Where the library disagrees, our table wins; each exception is explained in the data.
    exceptions = {
        "conjugated estrogens": "library lumps Premarin into a broad 'estrogen' entry (DB13954)",
        "premarin": "as above",
        "polaramine": "library reads it as chlorpheniramine, a sedating antihistamine too",
        "candesartan cilexetil": "library gives the prodrug its own id (DB00796)",
        "progynova": "library has no estradiol entry and gives this brand another id",
        "divigel": "as above",
    }
    problems = []
    for drug in table.drugs:
        for text in (drug.name, *drug.aliases, *drug.brands):
            if text.lower() in exceptions:
                continue
            ids = {m[0].get("drugbank_id") for m in find_drugs(text.lower().split())}
            if ids - {None, drug.drugbank_id}:
                problems.append(f"{text}: ours {drug.drugbank_id}, library {ids}")
    assert not problems


# --------------------------------------------------------------------------- validation


def test_an_unknown_key_is_named_with_the_allowed_keys(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda d: d["drugs"][0].update(brand=["Aprinox"]))
    assert "drugs.0" in message
    assert "unknown key 'brand'" in message
    assert "did you mean 'brands'?" in message
    assert "allowed keys: drugbank_id, name, aliases, brands, classes, note, sources" in message

    message = broken(raw, lambda d: d.update(notes="x"))
    assert "unknown key 'notes'" in message and "version, classes, drugs, lay_terms" in message

    message = broken(raw, lambda d: d["lay_terms"][0].update(clases=["statin"]))
    assert "unknown key 'clases'" in message and "did you mean 'classes'?" in message


def test_class_ids_must_exist(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda d: d["drugs"][0].update(classes=["diuretic"]))
    assert "drugs.0.classes.0" in message and "thiazide_diuretic" in message
    message = broken(raw, lambda d: d["lay_terms"][0].update(classes=["water_pill"]))
    assert "lay_terms.0.classes.0" in message
    message = broken(raw, lambda d: d.update(classes=d["classes"][1:]))
    assert "classes not defined: thiazide_diuretic" in message


def test_drugbank_ids_are_checked(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda d: d["drugs"][0].update(drugbank_id="DB436"))
    assert "drugs.0.drugbank_id" in message and "DB\\d{5}" in message
    message = broken(raw, lambda d: d["drugs"][1].update(drugbank_id=d["drugs"][0]["drugbank_id"]))
    assert "DrugBank id 'DB00436' is listed twice" in message
    missing = {"term": "zzz", "drug": "DB99999", "note": "x.", "sources": ["BNF"]}
    message = broken(raw, add_term(missing))
    assert "drug DB99999 is not in 'drugs'" in message


def test_a_name_or_term_means_one_thing(raw: dict[str, Any]) -> None:
    for spelling in ("Water-Pill", "WATER PILLS", "waterpill"):
        term = {"term": spelling, "classes": ["loop_diuretic"], "note": "x.", "sources": ["BNF"]}
        message = broken(raw, add_term(term))
        assert f"{spelling!r} clashes with lay term 'water pill'" in message
    message = broken(raw, lambda d: d["drugs"][1]["brands"].append("LIPITOR"))
    assert "brand 'Lipitor' clashes with drug DB00999 brand 'LIPITOR'" in message


def test_lay_terms_give_classes_or_a_drug(raw: dict[str, Any]) -> None:
    both = {"term": "zzz", "drug": "DB00436", "classes": [], "note": "x.", "sources": ["BNF"]}
    message = broken(raw, add_term(both))
    assert "exactly one of 'classes' and 'drug'" in message
    vague = {"term": "zzz", "classes": ["statin"], "vague": True, "note": "x.", "sources": ["BNF"]}
    message = broken(raw, add_term(vague))
    assert "a vague term maps to no class" in message


def test_a_drug_may_be_in_no_class(raw: dict[str, Any]) -> None:
    drugs = yaml.safe_load(
        textwrap.dedent(
            """
            - drugbank_id: DB90001
              name: zyxamine
              brands: [Zyxal]
              classes: []
              sources: [DRUGBANK]
            - drugbank_id: DB90002
              name: quorbital
              sources: [DRUGBANK]
            """
        )
    )
    data = {"version": "1", "classes": raw["classes"], "drugs": drugs, "lay_terms": []}
    table = load_medicines(data)
    assert [d.classes for d in table.drugs] == [[], []]
    resolver = MedicineResolver(table)
    assert resolver.resolve("Zyxal 10mg") == MedicineMatch(
        "Zyxal 10mg", "zyxamine", "DB90001", (), "exact"
    )
    assert MedicineResolver.from_data(data).resolve("quorbital").classes == ()
    # the other checks still apply to a drug in no class
    drugs[0]["classes"] = ["statin", "statin"]
    with pytest.raises(KnowledgeError, match="class 'statin' is listed twice"):
        load_medicines(data)
    drugs[0]["classes"] = "statin"
    with pytest.raises(KnowledgeError, match=r"drugs\.0\.classes"):
        load_medicines(data)


def test_sources_are_required(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda d: d["classes"][0].update(sources=[]))
    assert "classes.0.sources" in message
    message = broken(raw, lambda d: d["drugs"][0].pop("sources"))
    assert "drugs.0.sources" in message


def test_a_wrong_type_is_rejected(raw: dict[str, Any]) -> None:
    assert "version" in broken(raw, lambda d: d.update(version=1))


# --------------------------------------------------------------------------- resolution

CASES = [
    ("Lipitor", "atorvastatin", "statin"),
    ("ventolin", "albuterol", "beta2_agonist"),
    ("salbutamol", "albuterol", "beta2_agonist"),
    ("furosemide", "furosemide", "loop_diuretic"),
    ("bendroflumethiazide", "bendroflumethiazide", "thiazide_diuretic"),
    ("hydrochlorothiazide", "hydrochlorothiazide", "thiazide_diuretic"),
    ("spironolactone", "spironolactone", "potassium_sparing_diuretic"),
    ("nifedipine", "nifedipine", "calcium_channel_blocker"),
    ("amlodipine", "amlodipine", "calcium_channel_blocker"),
    ("Evista", "raloxifene", "raloxifene"),
    ("Forteo", "teriparatide", "teriparatide"),
    ("Premarin", "conjugated estrogens", "conjugated_oestrogens"),
    ("Sudafed", "pseudoephedrine", "stimulant"),
    ("lisinopril", "lisinopril", "ace_inhibitor"),
    ("pindolol", "pindolol", "beta_blocker_isa"),
    ("Venofer", "iron sucrose", "iron_sucrose"),
    ("Naprosyn", "naproxen", "naproxen"),
    ("Glivec", "imatinib", "imatinib"),
    ("prednisolone", "prednisolone", "corticosteroid"),
    ("Oramorph", "morphine", "opioid"),
    ("gemfibrozil", "gemfibrozil", "fibrate"),
    ("Neoral", "cyclosporine", "ciclosporin"),
    ("quinine sulfate", "quinine", "quinine"),
    ("losartan", "losartan", "angiotensin_receptor_blocker"),
    ("Priadel", "lithium carbonate", "lithium"),
    ("Aricept", "donepezil", "cholinesterase_inhibitor"),
    ("Fosamax", "alendronic acid", "bisphosphonate"),
    ("Piriton", "chlorpheniramine", "sedating_antihistamine"),
    ("Ritalin", "methylphenidate", "stimulant"),
]


@pytest.mark.parametrize(("given", "name", "cls"), CASES)
def test_names_and_brands(resolver: MedicineResolver, given: str, name: str, cls: str) -> None:
    match = resolver.resolve(given)
    assert match == MedicineMatch(given, name, match.drugbank_id, (cls,), "exact")
    assert match.drugbank_id is not None and match.drugbank_id.startswith("DB")


def test_the_lipitor_match_in_full(resolver: MedicineResolver) -> None:
    assert resolver.resolve("Lipitor") == MedicineMatch(
        given="Lipitor",
        name="atorvastatin",
        drugbank_id="DB01076",
        classes=("statin",),
        how="exact",
    )


@pytest.mark.parametrize(
    "given",
    ["simvastatin 40mg once daily", "Simvastatin 40 mg tablets at night", "SIMVASTATIN (ZOCOR)"],
)
def test_doses_and_forms_are_ignored(resolver: MedicineResolver, given: str) -> None:
    match = resolver.resolve(given)
    assert (match.name, match.classes, match.how) == ("simvastatin", ("statin",), "exact")


@pytest.mark.parametrize(
    "given",
    ["the pill", "The Pill", "combined pill", "on the pill", "contraceptive pills", "Microgynon"],
)
def test_the_pill_is_combined_contraception_never_gemfibrozil(
    resolver: MedicineResolver, given: str
) -> None:
    match = resolver.resolve(given)
    assert match.classes == ("combined_hormonal_contraception",)
    assert match.how == "lay_term"
    assert match.drugbank_id != GEMFIBROZIL and "fibrate" not in match.classes


@pytest.mark.parametrize("given", ["the pils", "water pils", "the pil", "blood presure pill"])
def test_multi_word_phrases_are_never_matched_fuzzily(
    resolver: MedicineResolver, given: str
) -> None:
    match = resolver.resolve(given)
    assert match.how == "unknown"
    assert match.drugbank_id != GEMFIBROZIL and not match.classes


@pytest.mark.parametrize("given", ["water pill", "water tablets", "my water tablet", "diuretic"])
def test_a_water_pill_is_a_diuretic(resolver: MedicineResolver, given: str) -> None:
    match = resolver.resolve(given)
    assert match.how == "lay_term"
    assert set(match.classes) <= DIURETICS and match.classes
    assert match.drugbank_id != GEMFIBROZIL


def test_the_mini_pill_is_recognised_but_in_no_class(resolver: MedicineResolver) -> None:
    for given in ("mini pill", "minipill", "progestogen-only pill"):
        match = resolver.resolve(given)
        assert (match.classes, match.how) == ((), "lay_term"), given


@pytest.mark.parametrize("given", ["blood pressure pill", "BP tablets", "HRT", "steroids"])
def test_vague_terms_are_recognised_but_vague(resolver: MedicineResolver, given: str) -> None:
    match = resolver.resolve(given)
    assert (match.classes, match.how) == ((), "vague")
    assert match.name


@pytest.mark.parametrize(
    ("given", "classes"),
    [
        ("inhaler", {"beta2_agonist"}),
        ("blue inhaler", {"beta2_agonist"}),
        ("purple inhaler", {"beta2_agonist"}),
        ("Seretide 250 Accuhaler", {"beta2_agonist"}),
        ("symbicort", {"beta2_agonist"}),
        ("Advair Diskus", {"beta2_agonist"}),
        ("statin", {"statin"}),
        ("cholesterol tablets", {"statin"}),
        ("tonic water", {"quinine"}),
        ("Zestoretic", {"ace_inhibitor", "thiazide_diuretic"}),
        ("co-codamol 30/500", {"opioid"}),
        ("cocodamol", {"opioid"}),
        ("Caduet", {"calcium_channel_blocker", "statin"}),
        ("the patch", {"combined_hormonal_contraception"}),
        ("NuvaRing", {"combined_hormonal_contraception"}),
    ],
)
def test_lay_terms_and_combination_products(
    resolver: MedicineResolver, given: str, classes: set[str]
) -> None:
    match = resolver.resolve(given)
    assert match.how == "lay_term"
    assert set(match.classes) == classes


def test_a_combination_typed_with_a_slash(resolver: MedicineResolver) -> None:
    match = resolver.resolve("salmeterol/fluticasone inhaler")
    assert match.classes == ("beta2_agonist",)
    assert match.name == "salmeterol + fluticasone"
    assert match.drugbank_id is None and match.how == "exact"


def test_a_drug_the_library_knows_and_we_do_not(resolver: MedicineResolver) -> None:
    match = resolver.resolve("riluzole 50mg")
    assert (match.name, match.drugbank_id, match.classes, match.how) == (
        "riluzole",
        "DB00740",
        (),
        "exact",
    )


COMMON_CLASSLESS = [
    ("metformin 500mg", "metformin", "DB00331"),
    ("Glucophage", "metformin", "DB00331"),
    ("omeprazole 20mg capsules", "omeprazole", "DB00338"),
    ("Losec", "omeprazole", "DB00338"),
    ("sertraline", "sertraline", "DB01104"),
    ("Lustral", "sertraline", "DB01104"),
    ("Tylenol", "acetaminophen", "DB00316"),
    ("paracetamol 500mg tablets", "acetaminophen", "DB00316"),
    ("Nurofen", "ibuprofen", "DB01050"),
    ("aspirin 75mg", "aspirin", "DB00945"),
    ("vitamin D", "vitamin d", "DB11094"),
    ("vitamin D3 1000 IU", "cholecalciferol", "DB00169"),
    ("levothyroxine sodium 100mcg", "levothyroxine", "DB00451"),
    ("Eltroxin", "levothyroxine", "DB00451"),
    ("cetirizine", "cetirizine", "DB00341"),
    ("atenolol", "atenolol", "DB00335"),
    ("Qvar", "beclomethasone", "DB00394"),
    ("budesonide inhaler", "budesonide", "DB01222"),
    ("Flixotide Evohaler", "fluticasone", "DB13867"),
    ("ferrous sulphate 200mg", "ferrous sulfate", "DB13257"),
    ("Cerazette", "desogestrel", "DB00304"),
    ("estradiol patch", "estradiol", "DB00783"),
]


@pytest.mark.parametrize(("given", "name", "drugbank_id"), COMMON_CLASSLESS)
def test_common_medicines_are_ours_and_in_no_class(
    resolver: MedicineResolver, given: str, name: str, drugbank_id: str
) -> None:
    assert resolver.resolve(given) == MedicineMatch(given, name, drugbank_id, (), "exact")


def test_a_class_less_medicine_in_a_combination(resolver: MedicineResolver) -> None:
    match = resolver.resolve("Lipitor and metformin")
    assert (match.name, match.classes, match.how) == (
        "atorvastatin + metformin",
        ("statin",),
        "exact",
    )
    match = resolver.resolve("calcium and vitamin D")
    assert (match.classes, match.how) == ((), "exact")


def test_a_misspelt_class_less_medicine_is_matched_fuzzily(resolver: MedicineResolver) -> None:
    match = resolver.resolve("metformn")
    assert (match.name, match.classes, match.how) == ("metformin", (), "fuzzy")


def test_a_library_combination_is_read_through_its_ingredients(
    resolver: MedicineResolver,
) -> None:
    match = resolver.resolve("Microgestin")  # a US pill our table does not list
    assert match.classes == ("combined_hormonal_contraception",)
    assert match.how == "exact" and match.name is not None and "ethinylestradiol" in match.name


@pytest.mark.parametrize(
    ("given", "name", "cls"),
    [
        ("lipitr", "atorvastatin", "statin"),
        ("simvastatn", "simvastatin", "statin"),
        ("amlodipin", "amlodipine", "calcium_channel_blocker"),
        ("furosimide", "furosemide", "loop_diuretic"),
    ],
)
def test_typos_are_matched_fuzzily(
    resolver: MedicineResolver, given: str, name: str, cls: str
) -> None:
    match = resolver.resolve(given)
    assert (match.name, match.classes, match.how) == (name, (cls,), "fuzzy")
    assert match.suggestion  # the spelling that was assumed


def test_short_words_are_never_matched_fuzzily(resolver: MedicineResolver) -> None:
    assert resolver.resolve("pil").how == "unknown"
    assert resolver.resolve("zocr").how == "unknown"  # four letters


def test_unknown_names(resolver: MedicineResolver) -> None:
    match = resolver.resolve("xyzzy")
    assert (match.name, match.drugbank_id, match.classes, match.how) == (None, None, (), "unknown")
    near = resolver.resolve("water pils")
    assert near.how == "unknown" and near.suggestion == "water pill"
    assert resolver.resolve("40mg").how == "unknown"
    assert resolver.resolve("").how == "unknown"


def test_lisinopril_is_not_an_established_cause(
    resolver: MedicineResolver, table: MedicinesFile
) -> None:
    assert resolver.resolve("lisinopril").classes == ("ace_inhibitor",)
    ace = next(c for c in table.classes if c.id == "ace_inhibitor")
    assert "not treated as an established cause" in ace.note
    assert ace.established_cause is False


def test_creams_and_eye_drops_do_not_count_as_systemic(resolver: MedicineResolver) -> None:
    assert resolver.resolve("hydrocortisone cream 1%").classes == ()
    assert resolver.resolve("ciclosporin eye drops").classes == ()
    assert resolver.resolve("prednisolone 5mg tablets").classes == ("corticosteroid",)
    assert resolver.resolve("Neoral capsules").classes == ("ciclosporin",)
    assert resolver.resolve("Sudafed nasal spray").classes == ()
    assert resolver.resolve("Sudafed tablets").classes == ("stimulant",)


def test_memoised_but_reports_what_was_typed(resolver: MedicineResolver) -> None:
    first = resolver.resolve("Lipitor")
    again = resolver.resolve("  LIPITOR ")
    assert again.given == "  LIPITOR " and again.classes == first.classes
    assert resolver.resolve("Lipitor") is first


def test_resolve_all_and_classes_of(resolver: MedicineResolver) -> None:
    names = ["furosemide", "Lipitor", "the pill", "xyzzy"]
    matches = resolver.resolve_all(names)
    assert [m.given for m in matches] == names
    assert resolver.classes_of(names) == {
        "loop_diuretic",
        "statin",
        "combined_hormonal_contraception",
    }
    assert resolver.classes_of([]) == frozenset()


def test_from_plain_data_reads_the_same(raw: dict[str, Any], table: MedicinesFile) -> None:
    plain = MedicineResolver.from_data(table.model_dump(exclude_none=True))
    typed = MedicineResolver(table)
    for given in ["Lipitor", "water pill", "HRT", "bendro", "Zestoretic", "hydrocortisone cream"]:
        assert plain.resolve(given) == typed.resolve(given)


def test_names_are_not_logged(resolver: MedicineResolver, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        resolver.resolve_all(["Lipitor", "metformin", "lipitr", "xyzzy", "the pill"])
    assert not caplog.records


def test_name_key() -> None:
    assert name_key("Co-Codamol 30/500mg") == "co codamol"
    assert name_key("Nurofen Cold & Flu") == name_key("Nurofen Cold and Flu")
    assert name_key("Norinyl-1") == "norinyl"
    assert name_key("vitamin B12") == "vitamin b12"


WORDS = ["the", "water", "pill", "tablet", "blood", "pressure", "my", "inhaler", "40mg", "/"]
WORDS += ["and", "xq", "statin", "lipitr"]


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
def test_any_string_resolves_safely(resolver: MedicineResolver, words: list[str]) -> None:
    match = resolver.resolve(" ".join(words))
    assert set(match.classes) <= EXPECTED_CLASSES
    assert match.drugbank_id != GEMFIBROZIL
    assert match.how != "fuzzy" or "lipitr" in words  # only the one misspelt word is fuzzy


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(st.text(max_size=40))
def test_name_key_is_stable(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key


# --------------------------------------------------------------------------- laziness


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter, with this checkout on the path; its output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_our_own_names_do_not_import_the_library() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import yaml
        from musclewise.medicines import MedicineResolver, load_medicines

        raw = yaml.safe_load(open({str(DATA)!r}, encoding="utf-8"))
        resolver = MedicineResolver(load_medicines(raw))
        names = ["Lipitor", "simvastatin 40mg once daily", "the pill", "water tablets",
                 "Seretide", "blood pressure pill", "co-codamol 30/500", "Ventolin Evohaler"]
        assert all(m.how != "unknown" for m in resolver.resolve_all(names))
        assert "drug_named_entity_recognition" not in sys.modules, "library imported"

        plain = MedicineResolver.from_data(raw)
        assert plain.resolve("Lipitor").classes == ("statin",)
        print("lazy")
        """
    )
    assert run_python(code) == "lazy"


def test_common_medicines_in_no_class_do_not_import_the_library() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import yaml
        from musclewise.medicines import MedicineResolver, load_medicines

        raw = yaml.safe_load(open({str(DATA)!r}, encoding="utf-8"))
        names = ["metformin", "omeprazole", "sertraline", "Tylenol", "vitamin D",
                 "Glucophage 500mg", "paracetamol", "ibuprofen", "levothyroxine", "Qvar",
                 "calcium and vitamin D", "Lipitor and metformin"]
        for resolver in (MedicineResolver(load_medicines(raw)), MedicineResolver.from_data(raw)):
            matches = resolver.resolve_all(names)
            assert all(m.how == "exact" for m in matches), matches
            assert all(m.classes == () for m in matches[:-1]), matches
            assert matches[-1].classes == ("statin",), matches[-1]
        assert "drug_named_entity_recognition" not in sys.modules, "library imported"
        print("lazy")
        """
    )
    assert run_python(code) == "lazy"

"""Name normalisation for medicines: the forms under which a typed name or term is matched
(:func:`name_key`, :func:`match_forms`). Pure text functions with no data, imported by both
:mod:`musclewise.medicines` (matching what a person typed) and
:mod:`musclewise.knowledge.medicine_schema` (checking that no typed string means two things).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

DOSE_RE = re.compile(
    r"(?<![a-z0-9])\d+(?:[.,]\d+)?\s*"
    r"(?:mg|mcg|µg|μg|ug|g|grams?|milligrams?|micrograms?|ml|mls|iu|units?|%|mmol|"
    r"puffs?|doses?|times?|x)?(?![a-z0-9])"
    r"|(?<![a-z0-9])x\s*\d+(?![a-z0-9])"
)
SPLIT_RE = re.compile(r"[/+,;&()\[\]]|\band\b|\bwith\b")
KEEP_RE = re.compile(r"[^\w\s-]")

# Forms, devices, directions and salts: dropped from the second, "bare" form of a name.
DROP_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(p.split())
    for p in (
        "once daily", "twice daily", "once a day", "twice a day", "three times a day",
        "four times a day", "times a day", "a day", "per day", "each day", "every day",
        "at night", "at bedtime", "in the morning", "in the evening", "every morning",
        "every night", "each night", "once a week", "once weekly", "a week", "per week",
        "as needed", "as required", "when needed", "when required", "if needed",
        "modified release", "slow release", "extended release", "prolonged release",
        "sustained release", "controlled release", "eye drops", "ear drops", "nasal spray",
        "nose spray", "oral solution", "oral suspension", "dry powder", "film coated",
        "gastro resistant", "for injection",
    )
)  # fmt: skip
DROP_WORDS = frozenset(
    {
        "tablet", "tablets", "tab", "tabs", "pill", "pills", "capsule", "capsules", "cap", "caps",
        "caplet", "caplets", "inhaler", "inhalers", "inh", "evohaler", "accuhaler", "turbohaler",
        "easyhaler", "diskus", "ellipta", "nexthaler", "spiromax", "respimat", "handihaler",
        "breezhaler", "genuair", "clickhaler", "autohaler", "mdi", "dpi", "nebule", "nebules",
        "nebuliser", "nebulizer", "cream", "gel", "ointment", "lotion", "drops", "spray", "patch",
        "patches", "injection", "injections", "infusion", "iv", "pen", "sachet", "sachets",
        "dispersible", "soluble", "chewable", "effervescent", "liquid", "solution", "suspension",
        "syrup", "elixir", "oral", "sr", "xl", "mr", "er", "la", "cr", "xr", "retard", "ed",
        "daily", "nightly", "weekly", "monthly", "nocte", "mane", "od", "bd", "bid", "tds", "tid",
        "qds", "qid", "prn", "stat", "dose", "doses", "puff", "puffs", "mg", "mcg", "medication",
        "medications", "medicine", "medicines", "meds", "med", "drug", "generic", "one", "two",
        "three", "half", "sulfate", "sulphate", "hydrochloride", "hcl", "maleate", "mesylate",
        "mesilate", "besylate", "besilate", "fumarate", "tartrate", "succinate", "acetate",
        "phosphate", "sodium", "potassium", "calcium", "xinafoate", "dipropionate", "propionate",
        "furoate", "monohydrate", "dihydrate", "trihydrate", "hemihydrate", "anhydrous", "hyclate"
    }
)  # fmt: skip
# Words that say the medicine acts locally (skin, eye, nose, lungs): `systemic_only` classes
# do not apply to it.
LOCAL_WORDS = frozenset(
    {
        "cream", "gel", "ointment", "lotion", "drops", "eye", "ear", "nasal", "nose", "shampoo",
        "topical", "skin", "foam", "mouthwash", "inhaler", "inhalers", "inhaled", "evohaler",
        "accuhaler", "turbohaler", "easyhaler", "diskus", "ellipta", "nexthaler", "spiromax",
        "respimat", "handihaler", "breezhaler", "genuair", "clickhaler", "autohaler", "nebule",
        "nebules", "nebuliser", "nebulizer", "puffer"
    }
)  # fmt: skip
LEADING = frozenset({"my", "a", "an", "some", "on", "taking", "take", "the", "for"})


def clean_text(text: str) -> str:
    """Case-folded text without marks and doses; separators are kept."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("®", " ").replace("™", " ").replace("'", "").replace("’", "")
    return DOSE_RE.sub(" ", text)


def name_tokens(cleaned: str) -> list[str]:
    """Words of cleaned text, hyphens inside words kept (the library knows "co-codamol")."""
    words = (w.strip("-") for w in KEEP_RE.sub(" ", cleaned).replace("_", " ").split())
    return [w for w in words if w and w != "and"]


def tokens_key(tokens: Iterable[str]) -> str:
    return " ".join(" ".join(tokens).replace("-", " ").split())


def bare_tokens(tokens: list[str]) -> list[str]:
    """The tokens without forms, devices, directions and salt names."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (3, 2):
            if tuple(tokens[i : i + n]) in DROP_PHRASES:
                i += n
                break
        else:
            if tokens[i] not in DROP_WORDS:
                out.append(tokens[i])
            i += 1
    return out


def name_key(text: str) -> str:
    """The normalised form under which a name or term is matched ("" if nothing is left).

    Case, accents, punctuation, hyphens, doses and the word "and" do not count:
    ``name_key("Co-Codamol 30/500mg") == "co codamol"``.
    """
    return tokens_key(name_tokens(clean_text(text)))


def singular(key: str) -> str:
    """``key`` with a plural "s" of its last word removed ("water tablets" -> "water tablet")."""
    head, _, last = key.rpartition(" ")
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        return f"{head} {last[:-1]}".strip()
    return key


def match_forms(text: str) -> frozenset[str]:
    """Every normalised form under which a typed string can reach the name or term ``text``:
    its :func:`name_key`, without spaces, and without a final plural "s"."""
    key = name_key(text)
    forms = {key, singular(key)}
    return frozenset(forms | {f.replace(" ", "") for f in forms}) - {""}

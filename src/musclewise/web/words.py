"""The words of the web pages: levels, kinds, confidence, sites, and an assessment arranged
for the answer page (sources numbered in the order they are cited)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from musclewise.contract import is_urgent
from musclewise.errors import FindingsError

LEVELS: dict[str, dict[str, str]] = {
    "emergency": {
        "heading": "Call an ambulance now",
        "short": "Emergency",
        "advice": "Call {number} now, or go to the nearest emergency department.",
    },
    "urgent": {
        "heading": "Get medical help today",
        "short": "Urgent",
        "advice": "See a doctor within 24 hours: ask for an urgent GP appointment, call 111 "
        "(in England) or go to urgent care. Call {number} if it gets much worse.",
    },
    "see_doctor": {
        "heading": "Book an appointment with a doctor",
        "short": "See a doctor",
        "advice": "Book an appointment with your GP or doctor. Get help sooner if a warning "
        "sign appears.",
    },
    "self_care": {
        "heading": "You can look after this at home",
        "short": "Self-care",
        "advice": "Get help if a warning sign below appears, or if it keeps coming back.",
    },
}
UNCHECKED_SELF_CARE = {
    "heading": "Check the warning signs first",
    "advice": "Some warning signs were not checked (listed above). If you have none of them, "
    "you can look after this at home. If you have any of them, this answer does not apply: "
    "get help.",
}
"""The self-care level's words when ``triage.unscreened`` is not empty."""
RELIEF_LEAD_IN = "While you get help:"
"""Some relief advice opens with the heading the answer page already shows above it."""
KINDS = {"cramp": "A muscle cramp", "spasm": "A muscle twitch (fasciculation)",
         "other": "Something other than a cramp or a twitch"}  # fmt: skip
KIND_SHORT = {"cramp": "cramp", "spasm": "twitch", "other": "something else"}

LOG_SITES = ("calf", "foot", "toes", "thigh_back", "thigh_front", "hand", "fingers", "eyelid",
             "back", "neck", "other")  # fmt: skip
"""The sites offered first when logging (every site is in the list)."""


@cache
def _questions() -> dict[str, Any]:
    from musclewise.interview import load_questions

    return load_questions()


class _SiteWords(Mapping[str, str]):
    def __getitem__(self, key: str) -> str:
        words: dict[str, str] = dict(_questions()["site"].choices)
        return words[key]

    def __iter__(self) -> Any:
        return iter(dict(_questions()["site"].choices))

    def __len__(self) -> int:
        return len(_questions()["site"].choices)


SITE_WORDS: Mapping[str, str] = _SiteWords()


def site_name(site: str | None) -> str:
    if not site:
        return "not recorded"
    return SITE_WORDS.get(site, site.replace("_", " "))


def describe(key: str, value: Any) -> str:
    from musclewise.text import describe as text_describe

    if key == "duration_s" and isinstance(value, int | float) and value >= 0:
        return duration_words(float(value))
    return text_describe(key, value)


def duration_words(seconds: float) -> str:
    """How long, as people say it: "about 2 minutes", never "about 1.75 minutes"."""

    def about(n: float, unit: str) -> str:
        amount = round(n * 2) / 2 if n < 10 else round(n)  # halves below ten, then whole
        text = f"{amount:g}"
        return f"about {text} {unit}{'' if amount == 1 else 's'}"

    if seconds < 90:
        return about(round(seconds), "second")
    if seconds < 5400:
        return about(round(seconds / 60), "minute")
    if seconds < 172_800:
        return about(seconds / 3600, "hour")
    return about(seconds / 86_400, "day")


def percent(p: float) -> str:
    if p >= 0.995:
        return "over 99%"
    if p < 0.005:  # a probability of the model is never quite 0
        return "under 1%"
    return f"{p:.0%}"


def confidence(p: float) -> str:
    """A probability in words."""
    if p >= 0.9:
        return "very likely"
    if p >= 0.7:
        return "likely"
    if p >= 0.5:
        return "more likely than not"
    return "possible, but far from certain"


def progress(asked: int) -> str:
    if asked == 0:
        return "First question"
    return f"{asked} answered so far. Most checks take 5 to 15 questions."


def plain_problem(exc: FindingsError) -> str:
    """A findings problem for an error summary: without the key's name, first letter up."""
    text = "; ".join(p.problem for p in exc.problems) or exc.message
    return text[:1].upper() + text[1:]


def answer_view(assessment: Mapping[str, Any]) -> dict[str, Any]:
    """What the answer page shows, in order, with the sources numbered as first cited."""
    from musclewise.knowledge import load_knowledge

    knowledge = load_knowledge()
    order: list[str] = []

    def cite(ids: Sequence[str]) -> list[int]:
        for sid in ids:
            if sid not in order:
                order.append(sid)
        return [order.index(s) + 1 for s in ids]

    level = assessment["triage"]["level"]
    calm = not is_urgent(level)  # factors and prevention are shown only then
    reasons = [
        {"text": r["text"], "refs": cite(r["sources"])} for r in assessment["triage"]["reasons"]
    ]
    relief = [
        {"text": _without_lead_in(r["text"]), "refs": cite(r["sources"])}
        for r in assessment["relief"]
    ]
    factor_names = {f["id"]: f for f in knowledge.data["factors"]["factors"]}
    factors = [
        {
            "name": factor_names[f["id"]]["name"] if f["id"] in factor_names else f["id"],
            "evidence": factor_names.get(f["id"], {}).get("evidence", ""),
            "text": f["why"],
            "refs": cite(f["sources"]),
        }
        for f in (assessment["factors"] if calm else [])
    ]
    prevention = [
        {"text": r["text"], "refs": cite(r["sources"])}
        for r in (assessment["prevention"] if calm else [])
    ]
    sources = []
    for number, sid in enumerate(order, start=1):
        entry = knowledge.sources.get(sid, {"title": sid})
        sources.append({"n": number, "id": sid, "title": entry["title"], "url": entry.get("url")})
    kind = assessment["kind"]
    p = assessment["probabilities"][kind]
    unscreened = [
        describe_key(k) for k in assessment["triage"].get("unscreened", []) if isinstance(k, str)
    ]
    unscreened_groups = _unscreened_groups(assessment["triage"].get("unscreened", []))
    level_words = LEVELS[level]
    if unscreened and level == "self_care":
        # warning signs not checked: nothing may sound settled until they are (issue 11)
        level_words = {**level_words, **UNCHECKED_SELF_CARE}
    return {
        "title": level_words["heading"],
        "level": level,
        "level_words": level_words,
        "kind_words": KINDS.get(kind, kind),
        "confidence": confidence(p),
        "p": p,
        "others": [
            (KIND_SHORT.get(k, k), percent(v))
            for k, v in assessment["probabilities"].items()
            if k != kind
        ],
        "reasons": reasons,
        "relief": relief,
        "factors": factors,
        "prevention": prevention,
        "suspected": assessment["suspected"][:3],
        "explanation": assessment["explanation"][1:],
        "sources": sources,
        "unscreened": unscreened,
        "unscreened_groups": unscreened_groups,
        "disclaimer": knowledge.data["meta"]["disclaimer"],
    }


UNSCREENED_SAID = {
    "emergency": "Call {number} or go to the emergency department now if you have any of these",
    "urgent": "See a doctor today if you have any of these",
}
"""What to do about the warning signs not checked, by the level of their screen group (the
words of ``musclewise assess``)."""


def _unscreened_groups(keys: Sequence[Any]) -> list[dict[str, Any]]:
    """The warning signs not checked, grouped by how soon to get help, in plain words (the
    safety screen's own labels); a key in no group is listed by its name, as urgent."""
    from musclewise.assessment import default_engine

    wanted = [k for k in keys if isinstance(k, str)]
    groups: list[dict[str, Any]] = []
    seen: set[str] = set()
    for group in default_engine().screen_groups:
        labels = [s.label for s in group.signs if s.key in wanted and s.key not in seen]
        seen.update(s.key for s in group.signs if s.key in wanted)
        if labels:
            groups.append({"level": group.level, "said": UNSCREENED_SAID.get(
                group.level, UNSCREENED_SAID["urgent"]), "signs": labels})  # fmt: skip
    rest = [describe_key(k) for k in wanted if k not in seen]
    if rest:
        groups.append({"level": "urgent", "said": UNSCREENED_SAID["urgent"], "signs": rest})
    return groups


def _without_lead_in(text: str) -> str:
    """The advice without a leading "While you get help:" (the page's heading says it)."""
    if not text.startswith(RELIEF_LEAD_IN):
        return text
    rest = text[len(RELIEF_LEAD_IN) :].lstrip()
    return rest[:1].upper() + rest[1:]


def describe_key(key: str) -> str:
    """A findings key as a person reads it ("swelling")."""
    from musclewise.interview import label_of

    return label_of(key)


def emergency_number(setting: str) -> str:
    return setting or "999, 112 or 911 (your local emergency number)"


HOME_CARDS = (
    ("Calf, foot or toes", "calf_stretch"),
    ("Back or front of the thigh", "thigh_stretch"),
    ("Hand or fingers", "hand_stretch"),
)
"""What to do right now, by site: the knowledge base's own relief advice (``advice.yaml``)."""
HOME_WARNINGS = (
    ("a leg is swollen, warm, red or very tender, especially after a long journey, an "
     "operation or in pregnancy", ("NHS_DVT",)),
    ("you are breathless or have chest pain", ("NHS_DVT",)),
    ("the pain is severe and does not let up, or the muscle is tight and swollen",
     ("NHS_COMP",)),
    ("your urine is dark, like tea or cola", ("RHABDO_SB",)),
    ("a limb is suddenly pale, cold or numb", ("NHS_PAD", "BMJBP_PAD")),
)  # fmt: skip
"""When to get help at once, each with its sources (the red flags of ``red_flags.yaml``)."""
SEE_DOCTOR = (
    "See a doctor if cramps keep coming back or disturb your sleep, or come with swelling, "
    "numbness or weakness.",
    ("NHS_CRAMPS",),
)


def _sources(ids: Sequence[str]) -> list[dict[str, Any]]:
    from musclewise.knowledge import load_knowledge

    known = load_knowledge().sources
    return [
        {"id": s, "title": known[s]["title"], "url": known[s].get("url")} for s in ids if s in known
    ]


@cache
def home_view() -> dict[str, Any]:
    """The home page's advice, from the knowledge base, with sources."""
    from musclewise.knowledge import load_knowledge

    relief = {r["id"]: r for r in load_knowledge().data["advice"]["relief"]}
    cards = [
        {"title": title, "text": relief[rid]["text"], "sources": _sources(relief[rid]["sources"])}
        for title, rid in HOME_CARDS
        if rid in relief
    ]
    warnings = [{"text": text, "sources": _sources(ids)} for text, ids in HOME_WARNINGS]
    doctor = {"text": SEE_DOCTOR[0], "sources": _sources(SEE_DOCTOR[1])}
    return {"cards": cards, "warnings": warnings, "doctor": doctor}

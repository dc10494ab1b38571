"""The words the command line shows for a kind, a triage level and a probability: plain
strings, so that a command printing a line or two does not import Rich."""

from __future__ import annotations

BANNER = {
    "emergency": ("EMERGENCY", "bold white on red",
                  "Call 999 / 911 or go to the emergency department now."),
    "urgent": ("URGENT", "bold black on dark_orange",
               "See a doctor within 24 hours (urgent GP appointment, 111, urgent care)."),
    "see_doctor": ("SEE A DOCTOR", "bold black on yellow",
                   "Book an appointment with your GP or doctor."),
    "self_care": ("SELF-CARE", "bold black on green",
                  "You can look after this at home; get help if a warning sign appears."),
}  # fmt: skip
UNCHECKED_SELF_CARE = (
    "Not every warning sign was checked: only if you have none of them can you look after "
    "this at home."
)
"""The self-care banner when ``triage.unscreened`` is not empty (the web says the same)."""
KIND_NAMES = {"cramp": "Cramp", "spasm": "Twitch (fasciculation)", "other": "Something else"}
SHORT_NAMES = {"cramp": "cramp", "spasm": "twitch", "other": "something else"}


def percent(p: float) -> str:
    """A probability as people read it: never "100%" or "0%" for what is only very likely."""
    if p >= 0.995:
        return "over 99%"
    if 0 < p < 0.005:
        return "under 1%"
    return f"{p:.0%}"


__all__ = ["BANNER", "KIND_NAMES", "SHORT_NAMES", "UNCHECKED_SELF_CARE", "percent"]

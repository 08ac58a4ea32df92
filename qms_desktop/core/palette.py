"""The one palette of risk levels and overdue marks, shared by the register on screen, the xlsx
export and the charts (pure data: no Qt, no openpyxl).

Every pair is (fill, text) as ``#RRGGBB``; each text colour is readable on its fill (contrast at
least 4.5:1, WCAG AA — ``tests/unit/test_palette.py`` checks it). Light pairs are for a light
window and for paper (the xlsx export); dark pairs keep the same hue order on a dark window.
Colour never speaks alone: the register also shows the level's name and a shape per level.
"""

from __future__ import annotations

LEVEL_ORDER = ("low", "medium", "high", "critical")

#: (fill, text) per level, on a light background / paper and on a dark one
LEVEL_COLOURS: dict[bool, dict[str, tuple[str, str]]] = {
    False: {"low": ("#C6EFCE", "#004D00"), "medium": ("#FFEB9C", "#4D3B00"),
            "high": ("#F8CBAD", "#7A2E00"), "critical": ("#C00000", "#FFFFFF")},
    True: {"low": ("#1F5130", "#D8F3DF"), "medium": ("#6B5300", "#FFF1C2"),
           "high": ("#8A3B12", "#FFE2D1"), "critical": ("#B3001B", "#FFFFFF")},
}
#: (fill, text) per level of an *opportunity*: a blue scale of its own, so that a promising
#: opportunity never wears a threat's danger red (light window / paper, and dark window)
OPPORTUNITY_COLOURS: dict[bool, dict[str, tuple[str, str]]] = {
    False: {"low": ("#E4EEF9", "#1F3864"), "medium": ("#BDD7EE", "#163058"),
            "high": ("#6FA8DC", "#0B1F3A"), "critical": ("#1F4E9A", "#FFFFFF")},
    True: {"low": ("#1C2C42", "#D6E6FA"), "medium": ("#21466E", "#E3EEFB"),
           "high": ("#2A5F9E", "#FFFFFF"), "critical": ("#5B9BE8", "#0B1220")},
}
#: the words of an opportunity's levels (a threat's are core.risk.LEVEL_LABELS): none of them is
#: a threat's word, so a list, a filter or a printout never reads an opportunity as a danger
OPPORTUNITY_WORDS = {"low": "Marginal", "medium": "Worthwhile", "high": "Significant",
                     "critical": "Exceptional"}
#: the level whose colours an AIAG-VDA Action Priority borrows
AP_LEVEL = {"H": "critical", "M": "medium", "L": "low"}
#: overdue marks (text and icons) and greyed-out "not used" text
OVERDUE = {False: "#B00020", True: "#FF8A80"}
MUTED = {False: "#8A8A8A", True: "#8C8C8C"}


def level_colours(level: str, dark: bool = False) -> tuple[str, str] | None:
    """(fill, text) of ``level`` (None for an unknown or empty level)."""
    return LEVEL_COLOURS[dark].get(level)


def kind_level_colours(kind: str, level: str, dark: bool = False) -> tuple[str, str] | None:
    """(fill, text) of ``level`` for a risk of ``kind`` ("risk" or "opportunity")."""
    scale = OPPORTUNITY_COLOURS if kind == "opportunity" else LEVEL_COLOURS
    return scale[dark].get(level)


def ap_colours(ap: str, dark: bool = False) -> tuple[str, str] | None:
    return level_colours(AP_LEVEL.get(ap, ""), dark)


def hex6(colour: str) -> str:
    """"#C6EFCE" → "C6EFCE" (the form spreadsheet styles take)."""
    return colour.lstrip("#").upper()


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    h = hex6(colour)
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: (fill, text) per training status (core/training.py), on a light background / paper and on
#: a dark one; "not_required" has no fill. The matrix also shows each status's symbol.
TRAINING_COLOURS: dict[bool, dict[str, tuple[str, str]]] = {
    False: {"current": ("#C6EFCE", "#004D00"), "expiring": ("#FFEB9C", "#4D3B00"),
            "due": ("#DDEBF7", "#1F3864"), "retrain": ("#F8CBAD", "#7A2E00"),
            "expired": ("#C00000", "#FFFFFF"), "missing": ("#F2F2F2", "#7A0010")},
    True: {"current": ("#1F5130", "#D8F3DF"), "expiring": ("#6B5300", "#FFF1C2"),
           "due": ("#1F3864", "#DDEBF7"), "retrain": ("#8A3B12", "#FFE2D1"),
           "expired": ("#B3001B", "#FFFFFF"), "missing": ("#3A3A3A", "#FFB3BD")},
}


def training_colours(status: str, dark: bool = False) -> tuple[str, str] | None:
    """(fill, text) of a training status (None for "not required")."""
    return TRAINING_COLOURS[dark].get(status)

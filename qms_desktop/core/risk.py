"""Risk scoring rules: 5x5 likelihood x impact with a cell-by-cell banding, FMEA RPN and the
AIAG-VDA (2019) Action Priority.

Pure Python: no Qt, no SQLAlchemy, no heavy imports.
"""

from __future__ import annotations

import json
import numbers
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AP_LABELS",
    "AP_VALUES",
    "DETECTION_HELP",
    "IMPACT_LABELS",
    "KINDS",
    "LEVELS",
    "LEVEL_LABELS",
    "LIKELIHOOD_LABELS",
    "METHODS",
    "OCCURRENCE_HELP",
    "SEVERITY_HELP",
    "STATUSES",
    "Banding",
    "BandingError",
    "action_priority",
    "normalize_words",
    "rpn",
    "score",
    "text_rating_to_number",
]

# --------------------------------------------------------------------------------------------
# Vocabulary shared with the storage model and the import/export services
# --------------------------------------------------------------------------------------------

KINDS = ("risk", "opportunity")
STATUSES = ("open", "treating", "monitoring", "closed")
METHODS = ("5x5", "fmea", "both")

#: Banding levels, ordered from least to most serious.
LEVELS = ("low", "medium", "high", "critical")
LEVEL_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Insignificant", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}

AP_VALUES = ("H", "M", "L")
AP_LABELS = {"H": "High", "M": "Medium", "L": "Low"}

# FMEA rating-scale help texts (our own words, inspired by the usual 1-10 scales).
SEVERITY_HELP = {
    1: "No noticeable effect on the product, the process or the customer.",
    2: "Very slight nuisance; only a few attentive customers would notice.",
    3: "Slight nuisance; a small part of the output needs minor rework on the line.",
    4: "Noticeable defect; some output is reworked or sorted before it ships.",
    5: "Reduced comfort or performance; a share of the output is reworked off-line.",
    6: "A secondary function is lost; up to all of the output may need rework.",
    7: "A primary function is degraded; output is scrapped or the line slows down.",
    8: "A primary function is lost; the product cannot be used as intended.",
    9: "Breaks a legal or regulatory requirement, with some warning beforehand.",
    10: "Endangers the safety of users or operators, with no warning beforehand.",
}
OCCURRENCE_HELP = {
    1: "The cause is eliminated by design or prevented with certainty.",
    2: "Extremely unlikely: no failures seen with a proven, robust prevention control.",
    3: "Very unlikely: isolated failures only, with strong prevention controls.",
    4: "Unlikely: rare failures with a similar design or process.",
    5: "Occasional failures; prevention controls work but are not fully effective.",
    6: "Failures happen from time to time; prevention relies on routine checks.",
    7: "Frequent failures; prevention controls are weak or only partly applied.",
    8: "Failures are expected regularly; prevention is largely missing.",
    9: "Failures are almost inevitable with the current way of working.",
    10: "Failures are certain; there is no prevention control at all.",
}
DETECTION_HELP = {
    1: "The failure cannot happen or is always caught automatically before it leaves the step.",
    2: "Caught almost every time by an automated, proven check at the source.",
    3: "Very likely caught by an automated check right after the step.",
    4: "Likely caught by an automated check later in the process.",
    5: "Caught by a proven manual check with clear acceptance criteria.",
    6: "Might be caught by a manual check or by sampling.",
    7: "Caught only by chance through a weak or indirect check.",
    8: "Unlikely to be caught; the check is not designed to find this failure.",
    9: "Very unlikely to be caught; checks are random or rarely done.",
    10: "No check exists; the failure will reach the customer.",
}


# --------------------------------------------------------------------------------------------
# Rating validation and scores
# --------------------------------------------------------------------------------------------

def _rating(name: str, value: Any, high: int) -> int:
    """Return ``value`` as an int if it is a whole-number rating in 1..high, else ValueError."""
    if type(value) is int and 1 <= value <= high:  # fast path
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number from 1 to {high}, not {value!r}.")
    value = int(value)
    if not 1 <= value <= high:
        raise ValueError(f"{name} must be a whole number from 1 to {high}, not {value}.")
    return value


def score(likelihood: int, impact: int) -> int:
    """5x5 score: likelihood x impact, 1..25 (ValueError outside 1..5)."""
    return _rating("Likelihood", likelihood, 5) * _rating("Impact", impact, 5)


def rpn(severity: int, occurrence: int, detection: int) -> int:
    """FMEA risk priority number S x O x D, 1..1000 (ValueError outside 1..10)."""
    return (
        _rating("Severity", severity, 10)
        * _rating("Occurrence", occurrence, 10)
        * _rating("Detection", detection, 10)
    )


# --------------------------------------------------------------------------------------------
# AIAG-VDA (2019) Action Priority: a lookup table, transcribed band by band.
# --------------------------------------------------------------------------------------------

# Bands, in the order of the table's rows / columns.
_S_BANDS = ((9, 10), (7, 8), (4, 6), (2, 3), (1, 1))
_O_BANDS = ((8, 10), (6, 7), (4, 5), (2, 3), (1, 1))
_D_BANDS = ((7, 10), (5, 6), (2, 4), (1, 1))

# One row per severity band; one string per occurrence band; one letter per detection band.
_AP_TABLE = (
    ("HHHH", "HHHH", "HHHM", "HMLL", "LLLL"),  # S 9-10
    ("HHHH", "HHHM", "HMMM", "MMLL", "LLLL"),  # S 7-8
    ("HHMM", "MMML", "MLLL", "LLLL", "LLLL"),  # S 4-6
    ("MMLL", "LLLL", "LLLL", "LLLL", "LLLL"),  # S 2-3
    ("LLLL", "LLLL", "LLLL", "LLLL", "LLLL"),  # S 1
)


def _band_index(bands: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    index = [-1] * 11
    for position, (low, high) in enumerate(bands):
        for value in range(low, high + 1):
            index[value] = position
    return tuple(index)


_S_INDEX = _band_index(_S_BANDS)
_O_INDEX = _band_index(_O_BANDS)
_D_INDEX = _band_index(_D_BANDS)


def action_priority(severity: int, occurrence: int, detection: int) -> str:
    """AIAG-VDA Action Priority ("H", "M" or "L") from the 2019 lookup table.

    Each rating must be a whole number from 1 to 10 (bool and floats are rejected) or
    ValueError is raised.
    """
    s = _rating("Severity", severity, 10)
    o = _rating("Occurrence", occurrence, 10)
    d = _rating("Detection", detection, 10)
    return _AP_TABLE[_S_INDEX[s]][_O_INDEX[o]][_D_INDEX[d]]


# --------------------------------------------------------------------------------------------
# 5x5 banding, configurable cell by cell
# --------------------------------------------------------------------------------------------

class BandingError(ValueError):
    """A banding configuration is malformed."""


# Default banding, rows = likelihood 1..5, columns = impact 1..5. It weighs impact a little
# more than likelihood: a rare but severe event outranks a frequent but trivial one.
#
#               impact:  1         2         3         4           5
_DEFAULT_CELLS = (
    ("low",    "low",    "low",    "medium",   "medium"),    # likelihood 1 Rare
    ("low",    "low",    "medium", "medium",   "high"),      # likelihood 2 Unlikely
    ("low",    "medium", "medium", "high",     "high"),      # likelihood 3 Possible
    ("low",    "medium", "high",   "high",     "critical"),  # likelihood 4 Likely
    ("medium", "high",   "high",   "critical", "critical"),  # likelihood 5 Almost certain
)

_BANDING_VERSION = 1


class Banding:
    """An immutable 5x5 map from (likelihood, impact) to a level in :data:`LEVELS`."""

    __slots__ = ("_cells",)

    def __init__(self, cells: Any = None) -> None:
        if cells is None:
            cells = _DEFAULT_CELLS
        object.__setattr__(self, "_cells", self._validate_cells(cells))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Banding is immutable; use with_cell() to get a changed copy.")

    @staticmethod
    def _validate_cells(cells: Any) -> tuple[tuple[str, ...], ...]:
        if isinstance(cells, (str, bytes)) or not hasattr(cells, "__iter__"):
            raise BandingError(
                "The banding must be a list of 5 rows (likelihood 1 to 5) of 5 levels each."
            )
        rows = list(cells)
        if len(rows) != 5:
            raise BandingError(
                f"The banding has {len(rows)} rows; it needs exactly 5 (likelihood 1 to 5)."
            )
        result = []
        for l_index, row in enumerate(rows, start=1):
            if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
                raise BandingError(
                    f"Banding row {l_index} is not a list; give 5 levels (impact 1 to 5)."
                )
            row = list(row)
            if len(row) != 5:
                raise BandingError(
                    f"Banding row {l_index} has {len(row)} cells; it needs exactly 5 "
                    "(impact 1 to 5)."
                )
            for i_index, level in enumerate(row, start=1):
                if level not in LEVELS:
                    raise BandingError(
                        f"Banding cell likelihood {l_index} x impact {i_index} is {level!r}; "
                        f"use one of {', '.join(LEVELS)}."
                    )
            result.append(tuple(row))
        return tuple(result)

    # -- queries -----------------------------------------------------------------------------
    @property
    def cells(self) -> tuple[tuple[str, ...], ...]:
        """Rows for likelihood 1..5, each a tuple of levels for impact 1..5."""
        return self._cells

    def level(self, likelihood: int, impact: int) -> str:
        """Level of the cell (ValueError outside 1..5)."""
        l_value = _rating("Likelihood", likelihood, 5)
        i_value = _rating("Impact", impact, 5)
        return self._cells[l_value - 1][i_value - 1]

    def non_monotonic_cells(self) -> list[tuple[int, int]]:
        """Cells ranked lower than a neighbour with lower likelihood or impact (a likely
        configuration mistake worth a warning in the matrix editor)."""
        rank = {name: position for position, name in enumerate(LEVELS)}
        odd = []
        for l_value in range(1, 6):
            for i_value in range(1, 6):
                here = rank[self._cells[l_value - 1][i_value - 1]]
                below = rank[self._cells[l_value - 2][i_value - 1]] if l_value > 1 else -1
                left = rank[self._cells[l_value - 1][i_value - 2]] if i_value > 1 else -1
                if here < below or here < left:
                    odd.append((l_value, i_value))
        return odd

    # -- edits (return copies) ---------------------------------------------------------------
    def with_cell(self, likelihood: int, impact: int, level: str) -> Banding:
        """A copy with one cell changed; this banding is left untouched."""
        l_value = _rating("Likelihood", likelihood, 5)
        i_value = _rating("Impact", impact, 5)
        if level not in LEVELS:
            raise BandingError(f"Unknown level {level!r}; use one of {', '.join(LEVELS)}.")
        rows = [list(row) for row in self._cells]
        rows[l_value - 1][i_value - 1] = level
        return Banding(rows)

    @classmethod
    def default(cls) -> Banding:
        return cls()

    # -- persistence -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"version": _BANDING_VERSION, "levels": [list(row) for row in self._cells]}

    def to_json(self) -> str:
        """JSON text: {"version": 1, "levels": [[...impact 1..5] for likelihood 1..5]}."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> Banding:
        if not isinstance(data, Mapping):
            raise BandingError(
                'The banding configuration must be a JSON object with a "levels" entry.'
            )
        version = data.get("version", _BANDING_VERSION)
        if version != _BANDING_VERSION:
            raise BandingError(
                f"The banding configuration has version {version!r}; this program reads "
                f"version {_BANDING_VERSION}, so update the program or reset the banding."
            )
        if "levels" not in data:
            raise BandingError(
                'The banding configuration has no "levels" entry; reset the banding to the '
                "default."
            )
        return cls(data["levels"])

    @classmethod
    def from_json(cls, text: str | bytes) -> Banding:
        """Parse :meth:`to_json` output; BandingError (a ValueError) if malformed."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise BandingError(
                f"The banding configuration is not valid JSON ({exc}); reset the banding to "
                "the default."
            ) from None
        return cls.from_dict(data)

    # -- value semantics ---------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Banding):
            return NotImplemented
        return self._cells == other._cells

    def __hash__(self) -> int:
        return hash(self._cells)

    def __repr__(self) -> str:
        return f"Banding({[list(row) for row in self._cells]!r})"

    def __reduce__(self):
        return (Banding, (self._cells,))


# --------------------------------------------------------------------------------------------
# Text ratings ("Very High", "Severe", "élevé", "sehr hoch", "3 - Possible") -> numbers
# --------------------------------------------------------------------------------------------

def normalize_words(text: str) -> str:
    """Lower case, accents removed (ß -> ss), punctuation to spaces, single spaces."""
    text = text.replace("ß", "ss").replace("ẞ", "ss").replace("×", "x")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return text.strip()


# Word -> level on a five-point scale (1 = lowest, 5 = highest).
_LEVEL_WORDS: dict[int, tuple[str, ...]] = {
    1: (
        # English
        "rare", "very low", "very unlikely", "highly unlikely", "remote", "insignificant",
        "negligible", "minimal", "very minor", "trivial", "extremely low",
        # French
        "tres faible", "tres faibles", "negligeable", "tres improbable", "insignifiant",
        "tres rare", "infime", "minime",
        # German
        "sehr gering", "sehr niedrig", "sehr selten", "unbedeutend", "vernachlassigbar",
        "unwesentlich", "praktisch ausgeschlossen", "kaum", "minimal",
    ),
    2: (
        "low", "unlikely", "minor", "small", "improbable", "seldom", "limited",
        "faible", "faibles", "peu probable", "mineur", "mineure", "limite", "limitee", "bas",
        "basse", "peu frequent",
        "gering", "niedrig", "klein", "selten", "unwahrscheinlich", "geringfugig", "leicht",
    ),
    3: (
        "moderate", "medium", "possible", "average", "occasional", "mid",
        "moyen", "moyenne", "modere", "moderee", "possible", "occasionnel", "occasionnelle",
        "mittel", "mittlere", "mittlerer", "massig", "moglich", "gelegentlich", "mittelmassig",
    ),
    4: (
        "high", "likely", "major", "probable", "frequent", "serious", "significant",
        "eleve", "elevee", "eleves", "fort", "forte", "important", "importante", "majeur",
        "majeure", "probable", "frequent", "frequente", "grave",
        "hoch", "hohe", "hoher", "wahrscheinlich", "erheblich", "schwer", "schwerwiegend",
        "haufig", "gross", "wesentlich",
    ),
    5: (
        "very high", "almost certain", "certain", "very likely", "highly likely", "severe",
        "critical", "extreme", "extremely high", "catastrophic", "disastrous", "expected",
        "tres eleve", "tres elevee", "tres fort", "tres forte", "critique", "catastrophique",
        "quasi certain", "presque certain", "tres probable", "tres grave", "tres frequent",
        "extreme", "majeure critique",
        "sehr hoch", "sehr hohe", "kritisch", "katastrophal", "fast sicher", "sicher",
        "sehr wahrscheinlich", "sehr haufig", "extrem", "existenzbedrohend", "sehr schwer",
    ),
}
_WORD_LEVEL: dict[str, int] = {}
for _level, _words in _LEVEL_WORDS.items():
    for _word in _words:
        _WORD_LEVEL.setdefault(_word, _level)

# Words that mean "the very top" of a ten-point scale.
_TOP_WORDS = frozenset({
    "catastrophic", "hazardous", "catastrophique", "katastrophal", "existenzbedrohend",
    "extreme", "extrem", "extremely high",
})
_WORD_LEVEL.update({word: 5 for word in _TOP_WORDS})

# Five-point level -> ten-point rating (middle of the usual FMEA word bands).
_TEN_POINT = {1: 1, 2: 3, 3: 5, 4: 7, 5: 9}

_LEADING_NUMBER = re.compile(
    r"^\s*[(\[]?\s*(\d+)(?:[.,](\d+))?\s*(?:[)\]]|/\s*\d+)?(?:\s|[-–—:=.)]|$)")
_ANY_NUMBER = re.compile(r"(?<![\d.,])(\d+)(?:[.,](\d+))?(?![\d.,])")


def _whole(digits: str, fraction: str | None) -> int | None:
    if fraction and fraction.strip("0"):
        return None
    return int(digits)


def text_rating_to_number(text: Any, scale: int = 5) -> int | None:
    """Map a rating given as text or number to 1..scale (scale is 5 or 10); None if unknown.

    Accepts digits ("3", "3.0", "3 - Possible", "(4) High", "2/5"), numbers (3, 3.0) and words
    in English, French and German ("Very High", "Severe", "Rare", "Almost certain",
    "élevé", "sehr hoch", "faible", "gering", "mittel"). On the ten-point scale, words map to
    the middle of the usual bands (low 3, moderate 5, high 7, very high 9, catastrophic 10).
    """
    if scale not in (5, 10):
        raise ValueError(f"scale must be 5 or 10, not {scale!r}.")
    if type(text) is int:  # fast path (bool is not int here)
        return text if 1 <= text <= scale else None
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, numbers.Integral):
        value = int(text)
        return value if 1 <= value <= scale else None
    if isinstance(text, numbers.Real):
        as_float = float(text)
        if as_float != as_float or not as_float.is_integer():
            return None
        value = int(as_float)
        return value if 1 <= value <= scale else None
    if not isinstance(text, str):
        return None
    raw = text.strip()
    if not raw:
        return None

    match = _LEADING_NUMBER.match(raw)
    if match:
        value = _whole(match.group(1), match.group(2))
        return value if value is not None and 1 <= value <= scale else None

    words = normalize_words(raw)
    level = _WORD_LEVEL.get(words)
    if level is None:
        # "High (4)" or "Likely - 4": a single number anywhere.
        numbers_found = _ANY_NUMBER.findall(raw)
        if len(numbers_found) == 1:
            value = _whole(*numbers_found[0])
            return value if value is not None and 1 <= value <= scale else None
        # "High (likely)" -> "High"
        stripped = normalize_words(re.sub(r"\(.*?\)|\[.*?\]", " ", raw))
        level = _WORD_LEVEL.get(stripped)
        if level is None:
            return None
        words = stripped
    if scale == 5:
        return level
    if words in _TOP_WORDS:
        return 10
    return _TEN_POINT[level]

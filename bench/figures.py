"""One benchmark figure: the measured value, its same-run baseline, the ratio and the target.

Benchmarks return :class:`Figure` objects (or plain dicts with the same keys, see
:func:`from_mapping`); ``python -m bench`` prints them and writes them to ``--json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    #: short benchmark name, as given on the command line (``startup``, ``edit``, ...)
    name: str
    #: what was measured, in a few words
    label: str
    value: float | None
    unit: str
    baseline: float | None = None
    #: what the baseline is, in a few words
    baseline_label: str = ""
    #: the target bound (an upper limit)
    target: float | None = None
    #: "value" (value <= target) or "ratio" (value / baseline <= target)
    target_on: str = "value"
    #: extra facts (spread, run counts, scale)
    note: str = ""
    #: set when the figure could not be measured, with the reason
    unavailable: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def passed(self) -> bool | None:
        if self.unavailable or self.value is None or self.target is None:
            return None
        if self.target_on == "ratio":
            r = self.ratio
            return None if r is None else r <= self.target
        return self.value <= self.target

    @property
    def verdict(self) -> str:
        if self.unavailable:
            return "N/A"
        p = self.passed
        return "-" if p is None else ("PASS" if p else "MISS")

    def target_text(self) -> str:
        if self.target is None:
            return "no target"
        if self.target_on == "ratio":
            return f"target ratio ≤ {self.target:g}"
        return f"target ≤ {_num(self.target)} {self.unit}"

    def line(self) -> str:
        """One printable line: value, baseline, ratio, target, verdict."""
        if self.unavailable:
            return f"{self.name:<9} {self.label}: N/A — {self.unavailable}"
        value = f"{_num(self.value)} {self.unit}"
        base = (f"baseline {_num(self.baseline)} {self.unit} ({self.baseline_label})"
                if self.baseline is not None else "baseline n/a")
        ratio = f"ratio {self.ratio:.2f}" if self.ratio is not None else "ratio n/a"
        out = (f"{self.name:<9} {self.label}: {value} | {base} | {ratio} | "
               f"{self.target_text()} | {self.verdict}")
        if self.note:
            out += f"\n{'':<9} {self.note}"
        return out

    def as_dict(self) -> dict:
        d = asdict(self)
        d["ratio"] = self.ratio
        d["passed"] = self.passed
        d["verdict"] = self.verdict
        return d


def _num(v: float | None) -> str:
    if v is None:
        return "n/a"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def from_mapping(d: dict, default_name: str) -> Figure:
    """A Figure from a dict using the Figure's field names (unknown keys go to ``details``)."""
    known = {f for f in Figure.__dataclass_fields__}
    kwargs = {k: v for k, v in d.items() if k in known}
    extra = {k: v for k, v in d.items() if k not in known and k not in ("ratio", "passed",
                                                                        "verdict")}
    kwargs.setdefault("name", default_name)
    kwargs.setdefault("label", kwargs["name"])
    kwargs.setdefault("value", None)
    kwargs.setdefault("unit", "")
    fig = Figure(**kwargs)
    fig.details.update(extra)
    if fig.value is None and not fig.unavailable:
        fig.unavailable = "the benchmark returned no value this runner can read"
    return fig

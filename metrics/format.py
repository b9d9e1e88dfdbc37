"""Chinese number formatting; one format field drives cards, tables and chart axes."""
from __future__ import annotations

import math

DASH = "—"


def fmt_value(value, fmt: str, unit: str = "") -> str:
    """95.0%, 1,234 件, 4.3 天; None is the dash of 'no data', never 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if fmt == "pct":
        return f"{value * 100:,.1f}%"
    text = f"{value:,.1f}" if fmt == "dec1" else f"{round(value):,d}"
    return f"{text} {unit}".rstrip() if unit and unit != "%" else text


def axis_format(fmt: str) -> str:
    """The plotly tickformat of the same format."""
    return {"pct": ".0%", "dec1": ",.1f"}.get(fmt, ",d")


def fmt_change(now, before, fmt: str) -> str | None:
    """The change from the previous period: +2.1个百分点 for rates, +12 for counts; None without both sides."""
    if now is None or before is None:
        return None
    diff = now - before
    if fmt == "pct":
        return f"{diff * 100:+.1f}个百分点"
    return f"{diff:+,.1f}" if fmt == "dec1" else f"{diff:+,.0f}"

"""Reporting periods: a month (2025-03), a quarter (2025Q1) or a year (2025)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Period:
    first: dt.date  # first day of the first month
    months: int  # 1, 3 or 12

    @property
    def kind(self) -> str:
        return {1: "month", 3: "quarter", 12: "year"}[self.months]

    @property
    def last(self) -> dt.date:
        """First day of the last month."""
        return add_months(self.first, self.months - 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period."""
        return add_months(self.first, self.months) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.months == 12:
            return f"{self.first.year}"
        if self.months == 3:
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.year}-{self.first.month:02d}"

    @property
    def label_zh(self) -> str:
        if self.months == 12:
            return f"{self.first.year}年"
        if self.months == 3:
            return f"{self.first.year}年第{'一二三四'[(self.first.month - 1) // 3]}季度"
        return f"{self.first.year}年{self.first.month}月"

    @property
    def short_zh(self) -> str:
        """A chart tick within one year: 一季度, 3月, 2025年."""
        if self.months == 3:
            return f"{'一二三四'[(self.first.month - 1) // 3]}季度"
        return f"{self.first.month}月" if self.months == 1 else self.label_zh

    def previous(self) -> "Period":
        return Period(add_months(self.first, -self.months), self.months)

    def children(self) -> list["Period"]:
        """The quarters of a year, the months of a quarter."""
        size = 3 if self.months == 12 else 1
        return [Period(add_months(self.first, i), size) for i in range(0, self.months, size)] if self.months > 1 else [self]

    def month_list(self) -> list[dt.date]:
        return [add_months(self.first, i) for i in range(self.months)]

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.end


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


_PATTERNS = (
    (re.compile(r"^(\d{4})$"), lambda y: Period(dt.date(int(y), 1, 1), 12)),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), lambda y, q: Period(dt.date(int(y), 3 * int(q) - 2, 1), 3)),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), lambda y, m: Period(dt.date(int(y), int(m), 1), 1)),
)


def parse_period(text: str) -> Period:
    """2025, 2025Q1 or 2025-03; anything else is a ValueError with a Chinese message."""
    text = text.strip()
    for pattern, make in _PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return make(*m.groups())
            except ValueError:
                break
    raise ValueError(f"无法识别的期间“{text}”：请写成 2025（年）、2025Q1（季度）或 2025-03（月）")

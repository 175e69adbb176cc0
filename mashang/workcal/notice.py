"""The State Council's yearly holiday notice, read: pure, no database.

Each November the General Office of the State Council (国务院办公厅) publishes the next
year's holidays and make-up working days in fixed wording, one numbered line per holiday::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。

``notice_parse`` turns the pasted text into the dates it names: the stated rest days
(放假, 补休) are holidays, the listed 上班 days are make-up working days; ordinary weekends are
not listed and stay what they are. Only the numbered lines (一、二、…) are read; the preamble
and the closing paragraph are not. A numbered line that cannot be read entirely, a weekday in
parentheses that does not match the date (a sign of the wrong year), a "共N天" that does not
count the rest days, or a date named twice is a ``NoticeError`` naming the line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.utils.translation import gettext as _

_NUMERALS = "一二三四五六七八九十"
_ITEM = re.compile(rf"^[{_NUMERALS}]{{1,3}}[、.]\s*(?P<name>[^:]*?)\s*:\s*(?P<body>.*)$")
# An item that starts mid-paragraph (a notice pasted as one block of text).
_ITEM_START = re.compile(rf"(?<=[。;；])(?=[{_NUMERALS}]{{1,3}}、)")
_DATE = r"(?:(?:(?P<{p}y>\d{{4}})年)?(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日(?:\((?P<{p}n>[^)]*)\))?"
_SPAN = re.compile(
    _DATE.format(p="a") + r"(?:\s*(?:至|到|-|~|—|–)\s*" + _DATE.format(p="b") + r")?"
)
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_COUNT = re.compile(r"(?:共|放假)(\d+)天")
# What a clause may say besides its dates.
_REST_WORDS = ("放假", "补休", "休息", "公休")
_WORK_WORDS = ("上班",)
_FILLER = re.compile(
    r"不调休|与周末连休|连休|共\d+天|放假\d+天|放假|调休|补休|休息|公休|上班|[、和及与\s]"
)


class NoticeDay(NamedTuple):
    """One date the notice names: a holiday (``is_working_day=False``) or a make-up working day."""

    date: date
    is_working_day: bool
    holiday: str


@dataclass(frozen=True)
class NoticeLine:
    """One numbered line of the notice and the dates it names."""

    number: int
    text: str
    holiday: str
    rest: tuple[date, ...] = field(default_factory=tuple)
    work: tuple[date, ...] = field(default_factory=tuple)


class NoticeError(ValueError):
    """The notice cannot be read; ``line_number`` and ``line`` name where (0 and "" for the whole)."""

    def __init__(self, message: str, *, line_number: int = 0, line: str = "") -> None:
        self.message, self.line_number, self.line = message, line_number, line
        if line_number:
            message = _("Line %(number)d “%(line)s”: %(message)s") % {
                "number": line_number,
                "line": line,
                "message": message,
            }
        super().__init__(message)


def notice_lines(text: str, *, year: int) -> list[NoticeLine]:
    """The numbered lines of the ``year``'s notice ``text``, each with the dates it names."""
    if not 1900 < year < 9999:
        raise NoticeError(_("%(year)s is not a year.") % {"year": year})
    text = _ITEM_START.sub("\n", text)
    lines: list[NoticeLine] = []
    seen: dict[date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        original = raw.strip()
        # Full-width punctuation and digits as ASCII: （）：，１ become ():,1; 。 and 、 stay.
        line = unicodedata.normalize("NFKC", original)
        if (
            not line
            or line[0] not in _NUMERALS
            or len(line) < 2
            or line[1] not in "、.一二三四五六七八九十"
        ):
            continue
        match = _ITEM.match(line)
        if match is None or not match["name"]:
            raise NoticeError(
                _("expected a holiday line like 一、元旦：1月1日（周四）放假"),
                line_number=number,
                line=original,
            )
        parsed = _read_line(match["name"], match["body"], year=year, number=number, line=original)
        for day in (*parsed.rest, *parsed.work):
            if day in seen:
                raise NoticeError(
                    _("%(date)s is named again (first on line %(first)d).")
                    % {"date": f"{day:%Y-%m-%d}", "first": seen[day]},
                    line_number=number,
                    line=original,
                )
            seen[day] = number
        lines.append(parsed)
    if not lines:
        raise NoticeError(_("No holiday lines found (lines like 一、元旦：1月1日放假)."))
    return lines


def notice_parse(text: str, *, year: int) -> list[NoticeDay]:
    """Every date the ``year``'s notice names, in date order: holidays and make-up working days."""
    return notice_days(notice_lines(text, year=year))


def notice_days(lines: list[NoticeLine]) -> list[NoticeDay]:
    """The dates ``lines`` name, in date order."""
    return sorted(
        NoticeDay(day, working, line.holiday)
        for line in lines
        for working, dates in ((False, line.rest), (True, line.work))
        for day in dates
    )


def notice_format(year: int, holidays: list[tuple[str, list[date], list[date]]]) -> str:
    """A notice in the published wording for ``holidays`` — (name, rest days, make-up working
    days) with each holiday's rest days consecutive. The inverse of ``notice_parse``."""
    lines = [f"国务院办公厅关于{year}年部分节假日安排的通知"]
    for index, (name, rest, work) in enumerate(holidays):
        numeral = _numeral(index + 1)
        first, last = min(rest), max(rest)
        span = _say(first, year)
        if last != first:
            span += "至" + _say(last, year, after=first)
        sentence = f"{numeral}、{name}：{span}放假调休，共{len(rest)}天。"
        if work:
            sentence += "、".join(_say(day, year) for day in sorted(work)) + "上班。"
        lines.append(sentence)
    return "\n".join(lines) + "\n"


def _numeral(n: int) -> str:
    tens, units = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十")) + (
        _NUMERALS[units - 1] if units else ""
    )


def _say(day: date, year: int, *, after: date | None = None) -> str:
    weekday = _WEEKDAY_NAMES[day.weekday()]
    if day.year != year and (after is None or after.year != day.year):
        return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
    if after is not None and after.month == day.month and after.year == day.year:
        return f"{day.day}日（{weekday}）"
    return f"{day.month}月{day.day}日（{weekday}）"


def _read_line(name: str, body: str, *, year: int, number: int, line: str) -> NoticeLine:
    def fail(message: str) -> NoticeError:
        return NoticeError(message, line_number=number, line=line)

    rest: list[date] = []
    work: list[date] = []
    counts: list[int] = []
    month: int | None = None
    # A December date under a January or February holiday (元旦, 春节) is the previous year's.
    early = any(int(m) <= 2 for m in re.findall(r"(?<!\d)(\d{1,2})月", body))
    for sentence in re.split(r"[。;]", body):
        if not re.search(r"\d|放假|上班|补休|调休", sentence):
            break  # the closing paragraph of a notice pasted as one block of text
        for clause in _clauses(sentence):
            if not clause.strip():
                continue
            dates: list[date] = []
            for span in _SPAN.finditer(clause):
                start, month = _resolve(span, "a", month, year, early, fail)
                end = start
                if span["bd"] is not None:
                    end, month = _resolve(span, "b", month, year, early, fail, start=start)
                    if end < start:
                        raise fail(
                            _("the range %(text)s ends before it starts.") % {"text": span[0]}
                        )
                dates.extend(start + timedelta(days=i) for i in range((end - start).days + 1))
            leftover = _FILLER.sub("", _SPAN.sub("", clause))
            if leftover:
                raise fail(_("cannot read “%(text)s”.") % {"text": clause.strip()})
            counts.extend(int(n) for n in _COUNT.findall(clause))
            if not dates:
                continue
            if any(word in clause for word in _WORK_WORDS):
                work.extend(dates)
            elif any(word in clause for word in _REST_WORDS):
                rest.extend(dates)
            else:
                raise fail(_("“%(text)s” says neither 放假 nor 上班.") % {"text": clause.strip()})
    if not rest and not work:
        raise fail(_("no dates found."))
    for count in counts:
        if count != len(rest):
            raise fail(
                _("it says %(said)d days but names %(found)d rest days.")
                % {"said": count, "found": len(rest)}
            )
    return NoticeLine(number=number, text=line, holiday=name, rest=tuple(rest), work=tuple(work))


def _clauses(sentence: str) -> list[str]:
    """``sentence`` split at commas outside parentheses."""
    parts, depth, current = [], 0, []
    for char in sentence:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _resolve(span, p, month, year, early, fail, *, start: date | None = None):
    """The date the ``p`` part of ``span`` names, and the month it leaves current."""
    said_year, said_month, said_day = span[f"{p}y"], span[f"{p}m"], span[f"{p}d"]
    if said_month is not None:
        month = int(said_month)
    elif month is None:
        raise fail(_("%(text)s names no month.") % {"text": span[0]})
    if said_year is not None:
        in_year = int(said_year)
    elif start is not None:
        # The end of a range: the start's year, or the next when the months wrap (12月…至1月).
        in_year = start.year + (month < start.month)
    else:
        in_year = year - 1 if month == 12 and early else year
    try:
        day = date(in_year, month, int(said_day))
    except ValueError:
        raise fail(
            _("%(text)s is not a date in %(year)d.") % {"text": span[0], "year": in_year}
        ) from None
    note = span[f"{p}n"]
    said = _WEEKDAY.search(note or "")
    if said is not None and _WEEKDAYS[said[1]] != day.weekday():
        raise fail(
            _(
                "%(date)s is a %(weekday)s, but the notice says %(said)s: "
                "is this the notice for %(year)d?"
            )
            % {
                "date": f"{day:%Y-%m-%d}",
                "weekday": _WEEKDAY_NAMES[day.weekday()],
                "said": said[0],
                "year": year,
            }
        )
    return day, month

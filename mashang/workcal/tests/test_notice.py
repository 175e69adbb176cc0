"""Reading the State Council's holiday notice: the published 2017, 2025 and 2026 notices give,
day for day, the calendar of the chinese-calendar package; wrong or unreadable lines are named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mashang.workcal.notice import NoticeDay, NoticeError, notice_format, notice_parse

NOTICES = Path(__file__).parent / "notices"


def notice(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def year_days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2017, 2025, 2026])
def test_a_published_notice_gives_the_package_calendar_day_for_day(year):
    named = {d.date: d for d in notice_parse(notice(year), year=year)}
    for day in year_days(year):
        working = named[day].is_working_day if day in named else day.weekday() < 5
        assert working == chinese_calendar.is_workday(day), day
        assert (not working) == chinese_calendar.is_holiday(day), day
        # What the notice names is what the package lists as a holiday or a make-up day.
        on, holiday = chinese_calendar.get_holiday_detail(day)
        in_lieu = chinese_calendar.is_in_lieu(day)
        listed = (holiday is not None and (not on or in_lieu)) or (day.weekday() >= 5 and on)
        if day in named:
            assert listed or holiday is not None, day


def test_the_2025_notice_read_line_by_line():
    days = notice_parse(notice(2025), year=2025)
    assert days[:4] == [
        NoticeDay(date(2025, 1, 1), False, "元旦"),
        NoticeDay(date(2025, 1, 26), True, "春节"),
        NoticeDay(date(2025, 1, 28), False, "春节"),
        NoticeDay(date(2025, 1, 29), False, "春节"),
    ]
    national = [d for d in days if d.holiday == "国庆节、中秋节"]
    assert [d.date for d in national if not d.is_working_day] == [
        date(2025, 10, d) for d in range(1, 9)
    ]
    assert [d.date for d in national if d.is_working_day] == [date(2025, 9, 28), date(2025, 10, 11)]
    assert len([d for d in days if not d.is_working_day]) == 28  # 1+8+3+5+3+8
    # 5月31日至6月2日: a range across months.
    assert [d.date for d in days if d.holiday == "端午节"] == [
        date(2025, 5, 31),
        date(2025, 6, 1),
        date(2025, 6, 2),
    ]


def test_ascii_punctuation_and_one_block_of_text_read_the_same():
    published = notice_parse(notice(2026), year=2026)
    ascii_text = notice(2026).translate(str.maketrans("（）：，；", "():,;"))
    assert notice_parse(ascii_text, year=2026) == published
    one_block = notice(2026).replace("\n", "")
    assert notice_parse(one_block, year=2026) == published


def test_a_wrong_year_is_caught_by_the_weekdays_and_the_line_named():
    with pytest.raises(NoticeError) as caught:
        notice_parse(notice(2026), year=2027)
    error = caught.value
    assert error.line_number == 4
    assert error.line.startswith("一、元旦：1月1日（周四）")
    assert "2027-01-01" in str(error) and "周四" in str(error)


def test_an_unreadable_holiday_line_is_an_error_naming_it_not_skipped():
    text = notice(2026).replace("5月1日（周五）至5日（周二）", "5月1日（周五）至五月五日")
    with pytest.raises(NoticeError) as caught:
        notice_parse(text, year=2026)
    assert caught.value.line_number == 7
    assert caught.value.line.startswith("四、劳动节")

    with pytest.raises(NoticeError) as caught:
        notice_parse("一、元旦放假一天。", year=2027)
    assert caught.value.line_number == 1


@pytest.mark.parametrize(
    ("line", "fault"),
    [
        ("一、元旦：1月1日（周五）至3日（周日）放假调休，共4天。", "4"),  # counts 3
        ("一、元旦：1月3日（周日）至1日（周五）放假。", "1月3日"),  # ends before it starts
        ("一、元旦：2月30日放假。", "2月30日"),
        ("一、元旦：3日放假。", "3日"),  # no month
        ("一、元旦：1月1日（周五）。", "1月1日"),  # neither 放假 nor 上班
        ("一、元旦：1月1日（周五）放假。\n二、春节：1月1日（周五）放假。", "2027-01-01"),
    ],
)
def test_faulty_lines_are_named(line, fault):
    with pytest.raises(NoticeError) as caught:
        notice_parse(line, year=2027)
    assert fault in str(caught.value)
    assert caught.value.line_number >= 1


def test_a_text_without_holiday_lines_is_an_error():
    with pytest.raises(NoticeError):
        notice_parse("国务院办公厅关于2027年部分节假日安排的通知", year=2027)


def test_december_dates_under_a_january_holiday_belong_to_the_previous_year():
    # As the 2019 and 2023 notices said it: the new year's holiday starting in December.
    with_years = "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。"
    assert [d.date for d in notice_parse(with_years, year=2023)] == [
        date(2022, 12, 31),
        date(2023, 1, 1),
        date(2023, 1, 2),
    ]
    without = "一、元旦：12月30日（周日）至1月1日（周二）放假调休，共3天。12月29日（周六）上班。"
    days = notice_parse(without, year=2019)
    assert [(d.date, d.is_working_day) for d in days] == [
        (date(2018, 12, 29), True),
        (date(2018, 12, 30), False),
        (date(2018, 12, 31), False),
        (date(2019, 1, 1), False),
    ]
    for day in days:
        assert chinese_calendar.is_workday(day.date) == day.is_working_day


@st.composite
def holiday_years(draw):
    """A year and a few holidays: consecutive rest days, make-up days on other weekends."""
    year = draw(st.integers(2000, 2098))
    starts = sorted(
        draw(st.sets(st.integers(0, 330), min_size=1, max_size=6).filter(_apart)), reverse=False
    )
    taken: set[date] = set()
    holidays = []
    for index, start in enumerate(starts):
        first = date(year, 1, 1) + timedelta(days=start)
        rest = [first + timedelta(days=i) for i in range(draw(st.integers(1, 9)))]
        taken.update(rest)
        holidays.append((f"节日{index + 1}", rest))
    result = []
    for name, rest in holidays:
        # Make-up working days are weekends near the holiday (possibly in the previous year).
        near = [rest[0] + timedelta(days=i) for i in range(-14, len(rest) + 14)]
        weekends = [d for d in near if d.weekday() >= 5 and d not in taken and d.year <= year]
        work = draw(st.lists(st.sampled_from(weekends), max_size=2, unique=True))
        work = [d for d in work if d not in taken]
        taken.update(work)
        result.append((name, rest, sorted(work)))
    return year, result


def _apart(starts: set[int]) -> bool:
    ordered = sorted(starts)
    return all(b - a > 10 for a, b in zip(ordered, ordered[1:], strict=False))


@settings(max_examples=150, deadline=None)
@given(holiday_years())
def test_parsing_a_formatted_notice_gives_back_its_days(generated):
    year, holidays = generated
    expected = sorted(
        [NoticeDay(day, False, name) for name, rest, _ in holidays for day in rest]
        + [NoticeDay(day, True, name) for name, _, work in holidays for day in work]
    )
    assert notice_parse(notice_format(year, holidays), year=year) == expected

"""The scorecard formulas: pure functions, no database."""

from __future__ import annotations

from datetime import date

import pytest

from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards.assessment import THREE_RATES, assess, weighted_mean


def test_rate():
    assert sc.rate(3, 4) == 75.0
    assert sc.rate(0, 0) is None
    assert sc.satisfaction_rate(satisfied=2, basic=1, rated=3, basic_weight=0.8) == pytest.approx(280 / 3)


def test_composite_of_the_three_rates_is_their_weighted_mean_of_those_present():
    w = THREE_RATES

    def composite(**rates):
        return assess({"u": ({"lead": 1}, rates, {})}, w)["u"].composite

    assert composite(response=50, resolution=100, satisfaction=100) == 95.0
    # No rated demand: response and resolution carry the whole weight (10·50 + 45·100)/55.
    assert composite(response=50, resolution=100, satisfaction=None) == pytest.approx(5000 / 55)
    assert composite(response=None, resolution=None, satisfaction=None) is None
    # Weights need not add up to 100.
    assert weighted_mean([(80, 1), (60, 1), (None, 5)]) == 70.0


def test_rounding_is_half_away_from_zero():
    assert sc.rounded(85.005, 2) == 85.01
    assert sc.rounded(2.25, 1) == 2.3
    assert sc.rounded(-15.005, 2) == -15.01
    assert sc.rounded(None, 2) is None


def test_ties_share_a_rank_and_no_score_is_unranked():
    assert sc.rank({"a": 90.0, "b": 95.0, "c": 90.0, "d": 80.0, "e": None}) == {
        "a": 2, "b": 1, "c": 2, "d": 4, "e": None,
    }
    assert sc.rank({}) == {}


def test_rank_change():
    assert sc.rank_change(3, 1) == 2
    assert sc.rank_change(1, 3) == -2
    assert sc.rank_change(None, 1) is None


def test_percentile_interpolates_like_percentile_cont():
    assert sc.percentile([], 0.5) is None
    assert sc.percentile([7.0], 0.9) == 7.0
    assert sc.percentile([14, 7, 36], 0.5) == 14
    assert sc.percentile([7, 14, 36], 0.9) == pytest.approx(31.6)
    assert sc.percentile([6, 7, 14, 34], 0.5) == pytest.approx(10.5)
    assert sc.percentile([6, 7, 14, 34], 0.9) == pytest.approx(28.0)
    assert sc.percentile([1, 2, 3, 4, 5], 0.0) == 1 and sc.percentile([1, 2, 3, 4, 5], 1.0) == 5
    assert sc.percentile([1, 2, 6], None) == 3.0  # no quantile: the mean


def test_periods_and_their_previous():
    nov = sc.Period(date(2026, 11, 1), date(2026, 12, 1))
    assert nov.kind == "month" and nov.previous() == sc.Period(date(2026, 10, 1), date(2026, 11, 1))
    assert sc.Period(date(2026, 3, 1), date(2026, 4, 1)).previous().days == 28
    q = sc.quarter_of(date(2026, 2, 14))
    assert q == sc.Period(date(2026, 1, 1), date(2026, 4, 1)) and q.kind == "quarter"
    assert q.previous() == sc.Period(date(2025, 10, 1), date(2026, 1, 1))
    y = sc.year_of(date(2026, 6, 1))
    assert y.kind == "year" and y.previous() == sc.year_of(date(2025, 1, 1))
    r = sc.Period(date(2026, 11, 10), date(2026, 11, 20))
    assert r.kind == "range" and r.previous() == sc.Period(date(2026, 10, 31), date(2026, 11, 10))
    assert sc.Period(date(2026, 2, 1), date(2026, 5, 1)).kind == "range"  # three months, not a quarter
    assert [p.start.month for p in sc.trend_periods(nov, 3)] == [9, 10, 11]
    with pytest.raises(ValueError):
        sc.Period(date(2026, 11, 1), date(2026, 11, 1))


def _unit(code, **counts):
    return sc.UnitScore(code=code, name=code, counts={k: 0 for k in sc.COUNTS} | counts)


def test_score_units_ranks_best_first_and_differences_list_what_changed():
    w = THREE_RATES
    a = _unit("a", lead=2, first_contact_due=2, first_contact_on_time=1, confirmed=1, resolved=1, rated=1, satisfied=1)
    b = _unit("b", lead=1, first_contact_due=1, first_contact_on_time=1, confirmed=1, resolved=1, rated=1, satisfied=1)
    c = _unit("c")
    units = sc.score_units([a, b, c], scheme=w, basic_weight=1.0, samples={"a": {"response": [1.0, 3.0]}})
    assert [(u.code, u.composite, u.rank) for u in units] == [("b", 100.0, 1), ("a", 95.0, 2), ("c", None, None)]
    assert a.hours["response_hours_median"] == 2.0 and b.hours["reply_hours_p90"] is None
    again = sc.score_units(
        [_unit("a", lead=2, first_contact_due=2, first_contact_on_time=2, confirmed=1, resolved=1, rated=1,
               satisfied=1),
         _unit("b", lead=1, first_contact_due=1, first_contact_on_time=1, confirmed=1, resolved=1, rated=1,
               satisfied=1),
         _unit("c")],
        scheme=w, basic_weight=1.0,
    )
    diff = sc.differences(units, again)
    changed = {(d["unit"], d["figure"]) for d in diff}
    assert ("a", "first_contact_on_time") in changed and ("a", "response") in changed
    assert ("a", "rank") in changed and ("a", "composite") in changed
    assert not any(d["unit"] == "c" for d in diff)
    assert sc.differences(units, units) == []


def test_figures_round_trip():
    u = _unit("a", lead=3)
    u.composite, u.rank, u.previous_rank, u.previous_composite = 90.0, 2, 4, 80.0
    back = sc.UnitScore.from_figures("a", "a", u.figures())
    assert back.figures() == u.figures()
    assert back.rank_change == 2 and back.composite_change == 10.0

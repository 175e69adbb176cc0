"""The typical land-start bundle (DESIGN.md §3) as data: the default template.

From the award the trading centre confirms the transaction; natural resources signs the
land-use-right contract; then two branches run in parallel — the money (land price to
finance, deed tax to tax, then the real-estate title) and the planning permits (land-use
planning permit, works planning permit) — and housing and construction issues the
construction permit once it holds the title and the works planning permit.

Commitments (容缺受理 / 告知承诺制): two papers may follow the step under a promise with a
deadline, as the practice lets them — the deed-tax receipt (契税完税证明, within 5 working
days: the tax is declared, the receipt comes after the bank's transfer clears) and the
real-estate title certificate (不动产权证书, within 10 working days: the register entry is
made, the printed certificate follows). The transaction confirmation, the contract, the land
price's payment voucher and the three permits never: they are what the next unit relies on,
and the construction permit is the run's very result. The expected
minutes add up to 40 along the money branch, the published record's pace (award 09:30,
land-use planning permit 09:31, title 09:32, works planning permit 09:33, construction
permit 10:11). The partner bank collects the land price for finance: its part is inside the
finance step. Step names are data (like unit names), in the zone's language.
"""

from __future__ import annotations

from mashang.landstart.specs import StepSpec

DEFAULT_CODE = "default"
DEFAULT_NAME = "拿地即动工标准事项包"
AWARD_UNIT = "jyzx"  # 公共资源交易中心: it records the award

DEFAULT_STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        code="confirmation",
        name="成交确认书",
        unit="jyzx",
        expected_minutes=1,
        pre_reviewable=True,
        document="成交确认书",
    ),
    StepSpec(
        code="land_contract",
        name="出让合同",
        unit="zrzy",
        prerequisites=("confirmation",),
        expected_minutes=2,
        pre_reviewable=True,
        document="国有建设用地使用权出让合同",
    ),
    StepSpec(
        code="land_payment",
        name="土地出让金缴纳",
        unit="cz",
        prerequisites=("land_contract",),
        expected_minutes=2,
        pre_reviewable=False,
        document="土地出让金缴款凭证",
    ),
    StepSpec(
        code="deed_tax",
        name="契税",
        unit="sw",
        prerequisites=("land_payment",),
        expected_minutes=2,
        pre_reviewable=False,
        document="契税完税证明",
        allows_commitment=True,
        commitment_working_days=5,
    ),
    StepSpec(
        code="title",
        name="不动产权证书",
        unit="zrzy",
        prerequisites=("deed_tax",),
        expected_minutes=3,
        pre_reviewable=True,
        document="不动产权证书",
        allows_commitment=True,
        commitment_working_days=10,
    ),
    StepSpec(
        code="land_use_permit",
        name="建设用地规划许可证",
        unit="zrzy",
        prerequisites=("land_contract",),
        expected_minutes=2,
        pre_reviewable=True,
        document="建设用地规划许可证",
    ),
    StepSpec(
        code="works_permit",
        name="建设工程规划许可证",
        unit="zrzy",
        prerequisites=("land_use_permit",),
        expected_minutes=3,
        pre_reviewable=True,
        document="建设工程规划许可证",
    ),
    StepSpec(
        code="construction_permit",
        name="施工许可证",
        unit="zjj",
        prerequisites=("works_permit", "title"),
        expected_minutes=30,
        pre_reviewable=True,
        document="建筑工程施工许可证",
    ),
)

#: The units the default bundle needs (codes), award unit first.
DEFAULT_UNITS: tuple[str, ...] = tuple(dict.fromkeys([AWARD_UNIT, *(s.unit for s in DEFAULT_STEPS)]))

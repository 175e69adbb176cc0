"""The minutes as the office files them: both documents are generated and read back.

The .docx is opened with python-docx (paragraphs and table cells), the PDF's text is
extracted with pypdf. The assertions are on the record's data — the Chinese titles,
decisions, units, owners and deadlines — and on labels only through their constants.
No database.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from io import BytesIO

import pytest
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from mashang.meetings import minutes as m

SUPPLY = m.MinutesActionItem(
    number="DB-2026-00012",
    title="限期答复企业用电增容诉求，并书面反馈处理结果",
    lead="经济发展局",
    co_units=("供电公司", "规划建设局"),
    owner="李科长",
    due="2026-12-18 17:30",
    closing_rule="经督查室确认办结",
)
RULES = m.MinutesActionItem(
    number="DB-2026-00013",
    title="修订超期诉求处理细则",
    lead="督查室",
    co_units=(),
    owner="",
    due="2026-12-31 17:30",
    closing_rule="提交审定稿",
)
OVERDUE = m.MinutesItem(
    position=1,
    title="某企业用电增容诉求超期",
    source="超期诉求",
    evidence=("诉求 SQ-2026-0101 超期 5 个工作日", "已两次催办，企业再次来电"),
    decision="由经济发展局牵头，会同供电公司于 12 月 18 日前答复企业。",
    changes=("用电类诉求时限由 10 个工作日调整为 15 个工作日",),
    action_items=(SUPPLY,),
)
RULEBOOK = m.MinutesItem(
    position=2,
    title="超期诉求处理细则的修订",
    source="督查室提请",
    evidence=("本季度超期诉求 12 件",),
    decision="督查室于年底前提交修订稿。",
    changes=(),
    action_items=(RULES,),
)
RECORD = m.MinutesRecord(
    number="YP-2026-011",
    title="2026年第11次诉求研判会",
    kind="诉求研判会",
    held_at="2026-12-02 09:30",
    place="管委会三楼会议室",
    chair="王主任",
    secretary="张秘书",
    participants=("王主任", "李科长", "赵局长"),
    units=("经济发展局", "督查室", "供电公司"),
    items=(OVERDUE, RULEBOOK),
    approved="2026-12-03 10:00 由 王主任 审定",
    note="会后三日内报送落实情况。",
)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def squash(text: str) -> str:
    """Text without whitespace: the PDF breaks long lines and table cells where it wraps them."""
    return re.sub(r"\s+", "", text)


def docx_paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(BytesIO(data)).paragraphs]


def docx_rows(data: bytes) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in Document(BytesIO(data)).tables for row in t.rows]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def contains_all(haystack: str, needles: list[str]) -> list[str]:
    """The needles missing from the haystack (whitespace ignored)."""
    flat = squash(haystack)
    return [n for n in needles if squash(n) not in flat]


DATA = [
    RECORD.title,
    RECORD.number,
    RECORD.kind,
    RECORD.held_at,
    RECORD.place,
    RECORD.chair,
    RECORD.secretary,
    "赵局长",
    OVERDUE.title,
    OVERDUE.source,
    *OVERDUE.evidence,
    OVERDUE.decision,
    *OVERDUE.changes,
    RULEBOOK.title,
    RULEBOOK.decision,
    RECORD.approved,
    RECORD.note,
]


def test_the_docx_holds_the_meeting_its_decisions_and_every_action_item_in_a_table():
    data = m.minutes_docx(RECORD)

    paragraphs = docx_paragraphs(data)
    assert paragraphs[0] == RECORD.title
    assert contains_all("\n".join(paragraphs), DATA) == []
    assert any("王主任、李科长、赵局长" in p for p in paragraphs)
    rows = docx_rows(data)
    assert rows[1:] == [
        [
            "DB-2026-00012",
            SUPPLY.title,
            "经济发展局",
            "供电公司、规划建设局",
            "李科长",
            "2026-12-18 17:30",
            "经督查室确认办结",
        ],
        ["DB-2026-00013", RULES.title, "督查室", "", "", "2026-12-31 17:30", "提交审定稿"],
    ]
    assert rows[0] == [
        str(label)
        for label in (m.COL_NUMBER, m.COL_MATTER, m.COL_LEAD, m.COL_CO_UNITS)
        + (m.COL_OWNER, m.COL_DUE, m.COL_CLOSING)
    ]


def test_the_pdf_holds_the_same_in_the_same_order():
    text = squash(pdf_text(m.minutes_pdf(RECORD)))

    assert contains_all(text, DATA) == []
    # The first item's decision, then its action item's row: number, lead, co-units, owner, due.
    row = ["DB-2026-00012", SUPPLY.title, "经济发展局", "供电公司、规划建设局", "李科长"]
    row += ["2026-12-1817:30", "经督查室确认办结"]
    assert squash("".join(row)) in text
    assert squash("DB-2026-00013" + RULES.title + "督查室" + "2026-12-3117:30") in text
    positions = [text.index(squash(s)) for s in (OVERDUE.decision, RULEBOOK.decision)]
    positions += [
        text.index("DB-2026-00012"),
        text.index("DB-2026-00013"),
        text.index(RECORD.approved.replace(" ", "")),
    ]
    assert positions == sorted(positions)


def test_a_draft_says_it_is_not_approved_and_an_approved_one_says_by_whom():
    draft = replace(RECORD, approved="")

    for text in (pdf_text(m.minutes_pdf(draft)), "\n".join(docx_paragraphs(m.minutes_docx(draft)))):
        assert squash(str(m.DRAFT)) in squash(text)
        assert squash(RECORD.approved) not in squash(text)
    for text in (
        pdf_text(m.minutes_pdf(RECORD)),
        "\n".join(docx_paragraphs(m.minutes_docx(RECORD))),
    ):
        assert squash(str(m.DRAFT)) not in squash(text)
        assert squash(RECORD.approved) in squash(text)


def test_user_text_is_never_read_as_markup():
    title = "督办规则 <b>& 修订</b> <font size=40>"
    record = replace(
        RECORD,
        title=title,
        items=(replace(OVERDUE, decision="第一行 &amp; <br/>\n第二行", title="A&B <i>"),),
    )

    text = pdf_text(m.minutes_pdf(record))
    assert squash(title) in squash(text)
    assert "第一行 &amp; <br/>" in text
    assert "第二行" in text
    assert "A&B <i>" in text
    assert PdfReader(BytesIO(m.minutes_pdf(record))).metadata.title == title
    paragraphs = docx_paragraphs(m.minutes_docx(record))
    assert paragraphs[0] == title
    assert any("第一行 &amp; <br/>\n第二行" in p for p in paragraphs)


def test_without_action_items_there_is_no_table_but_a_none_line():
    record = replace(RECORD, items=(replace(OVERDUE, action_items=()),))

    data = m.minutes_docx(record)
    assert Document(BytesIO(data)).tables == []
    paragraphs = docx_paragraphs(data)
    heading = paragraphs.index(str(m.ACTIONS_HEADING))
    assert paragraphs[heading + 1] == str(m.NONE)
    assert OVERDUE.decision in "\n".join(paragraphs[:heading])
    text = pdf_text(m.minutes_pdf(record))
    assert squash(OVERDUE.decision) in squash(text)
    assert str(m.COL_DUE) not in text and "DB-2026" not in text


def test_a_meeting_without_items_still_renders_both_documents():
    record = replace(RECORD, items=(), participants=(), units=(), note="", approved="")

    paragraphs = docx_paragraphs(m.minutes_docx(record))
    assert paragraphs[paragraphs.index(str(m.ITEMS_HEADING)) + 1] == str(m.NONE)
    assert paragraphs[paragraphs.index(str(m.ACTIONS_HEADING)) + 1] == str(m.NONE)
    text = pdf_text(m.minutes_pdf(record))
    assert squash(RECORD.title) in squash(text)
    assert squash(str(m.DRAFT)) in squash(text)


def test_an_item_without_decision_or_evidence_says_none():
    item = replace(OVERDUE, evidence=(), decision="", changes=())
    paragraphs = docx_paragraphs(m.minutes_docx(replace(RECORD, items=(item,))))

    start = paragraphs.index(f"1. {OVERDUE.title}")
    lines = paragraphs[start + 1 : paragraphs.index(str(m.ACTIONS_HEADING))]
    assert len(lines) == 3  # reason, evidence, decision; no line for rule changes
    assert lines[0].endswith("超期诉求")
    assert lines[1].endswith(str(m.NONE)) and lines[2].endswith(str(m.NONE))


def test_many_action_items_run_over_pages_with_every_row_kept():
    items = tuple(
        replace(SUPPLY, number=f"DB-2026-{n:05d}", title=f"第{n}项督办事项，" + "落实整改措施" * 5)
        for n in range(1, 61)
    )
    record = replace(RECORD, items=(replace(OVERDUE, action_items=items),))

    reader = PdfReader(BytesIO(m.minutes_pdf(record)))
    assert len(reader.pages) > 2
    text = squash(pdf_text(m.minutes_pdf(record)))
    numbers = [text.index(f"DB-2026-{n:05d}") for n in range(1, 61)]
    assert numbers == sorted(numbers)
    # Every page the table runs over starts it with the header row again.
    pages = [squash(page.extract_text()) for page in reader.pages]
    table_pages = [page for page in pages if "DB-2026-" in page]
    assert len(table_pages) > 1
    assert all(squash(str(m.COL_DUE) + str(m.COL_CLOSING)) in page for page in table_pages)
    assert len(docx_rows(m.minutes_docx(record))) == 61


def test_both_documents_are_a4_titled_with_the_meeting():
    docx = Document(BytesIO(m.minutes_docx(RECORD)))
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert docx.core_properties.title == RECORD.title

    reader = PdfReader(BytesIO(m.minutes_pdf(RECORD)))
    assert reader.metadata.title == RECORD.title
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)


def test_every_docx_run_names_an_east_asian_font():
    docx = Document(BytesIO(m.minutes_docx(RECORD)))
    runs = docx.element.body.iter(qn("w:r"))
    fonts = {r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs}
    assert fonts == {m.BODY_FONT, m.HEADING_FONT}


def test_control_characters_in_user_text_do_not_break_the_documents():
    record = replace(RECORD, title="研判会\x00\x0b纪要", note="备\x1f注")

    assert docx_paragraphs(m.minutes_docx(record))[0] == "研判会纪要"
    assert "研判会纪要" in pdf_text(m.minutes_pdf(record))


def test_the_filename_is_ascii_whatever_the_number():
    assert m.minutes_filename(RECORD, "docx") == "minutes-YP-2026-011.docx"
    assert m.minutes_filename(RECORD, ".pdf") == "minutes-YP-2026-011.pdf"
    odd = m.minutes_filename(replace(RECORD, number="研判/2026 第11号"), "pdf")
    assert odd == "minutes-2026-11.pdf"
    assert m.minutes_filename(replace(RECORD, number="第十一次"), "pdf") == "minutes.pdf"


@pytest.mark.skipif(
    not os.path.isfile(m.PDF_FONT_CANDIDATES[0][0]), reason="WenQuanYi Micro Hei not installed"
)
def test_the_pdf_embeds_the_first_font_found_on_the_machine():
    data = m.minutes_pdf(RECORD)
    assert b"MinutesCJK" in data or b"WenQuanYi" in data


def test_without_a_font_file_the_pdf_falls_back_to_the_built_in_chinese_font():
    font = m._register_pdf_font([("/nonexistent/fonts/none.ttc", 0)])
    assert font == m.PDF_FALLBACK_FONT

    text = squash(pdf_text(m._pdf_bytes(RECORD, font=font)))
    assert contains_all(text, DATA) == []

"""The minutes (会议纪要) of a review meeting as the document an office files: .docx and PDF.

Pure functions of a plain record: whoever has the meeting builds a ``MinutesRecord`` of
display text (numbers, names, times already formatted) and gets the bytes back. Both
documents carry the same content in the same order: the title and number, the facts of
the meeting, "一、议题及决定" item by item, "二、督办事项" as a table of every action item,
the approval line (or a draft mark) and the note.

User text is data, never markup: it is XML-escaped for reportlab's paragraphs, and control
characters that XML cannot hold are dropped from both documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mashang.core.pdf import (  # noqa: F401 (PDF_* named here for the minutes' tests)
    PDF_FALLBACK_FONT,
    PDF_FONT_CANDIDATES,
    pdf_font,
    pdf_font_register,
    pdf_markup,
    xml_clean,
)

# Labels: lazy, so each document is rendered in the language active when it is built.
NUMBER = _("No. %(number)s")
LABEL_VALUE = _("%(label)s: %(value)s")
LABEL_ONLY = _("%(label)s:")
NONE = _("None")
SUBJECT = _("Meeting minutes")

MEETING_TYPE = _("Meeting type")
TIME = _("Time")
PLACE = _("Place")
CHAIR = _("Chair")
RECORDER = _("Recorder")
PARTICIPANTS = _("Participants")
PARTICIPATING_UNITS = _("Participating units")

ITEMS_HEADING = _("I. Items and decisions")
SOURCE = _("Reason for listing")
EVIDENCE = _("Evidence")
DECISION = _("Decision")
CHANGES = _("Rule changes")

ACTIONS_HEADING = _("II. Supervised action items")
COL_NUMBER = _("Number")
COL_MATTER = _("Matter")
COL_LEAD = _("Lead")
COL_CO_UNITS = _("Assisting units")
COL_OWNER = _("Owner")
COL_DUE = _("Due by")
COL_CLOSING = _("Closing rule")

APPROVED = _("Approved")
DRAFT = _("(Draft, not approved)")
NOTE = _("Note")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


@dataclass(frozen=True)
class MinutesActionItem:
    number: str  # e.g. "DB-2026-00012"
    title: str
    lead: str  # lead unit name (or person) responsible
    co_units: tuple[str, ...]
    owner: str  # the person answerable, may be ""
    due: str  # deadline as display text, e.g. "2026-12-18 17:30"
    closing_rule: str  # display text, e.g. "经督查室确认办结"


@dataclass(frozen=True)
class MinutesItem:
    position: int
    title: str
    source: str  # why it is on the agenda (display text), e.g. "超期诉求"
    evidence: tuple[str, ...]  # lines of evidence
    decision: str  # the decision text ("" when none)
    changes: tuple[str, ...]  # rule/limit changes adopted, display text
    action_items: tuple[MinutesActionItem, ...]


@dataclass(frozen=True)
class MinutesRecord:
    number: str  # meeting number, e.g. "YP-2026-011"
    title: str
    kind: str  # display text, e.g. "诉求研判会"
    held_at: str  # display text
    place: str
    chair: str
    secretary: str
    participants: tuple[str, ...]
    units: tuple[str, ...]
    items: tuple[MinutesItem, ...]
    approved: str  # e.g. "2026-12-03 10:00 由 王主任 审定", or "" while a draft
    note: str = ""


def minutes_filename(record: MinutesRecord, ext: str) -> str:
    """An ASCII-safe download name, e.g. ``minutes-YP-2026-011.docx``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", record.number).strip(".-")
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    name = f"minutes-{stem}" if stem else "minutes"
    return f"{name}.{ext}" if ext else name


# --- the content, shared by both documents -------------------------------------------------

# The control characters XML cannot hold are dropped (``mashang.core.pdf``, shared with
# every PDF mashang makes).
_clean = xml_clean


def _labelled(label: str, value: str) -> str:
    return str(LABEL_VALUE) % {"label": label, "value": value or str(NONE)}


def _joined(values: Iterable[str]) -> str:
    """Names in a list: "、" between them in Chinese. (Not a msgid: Django's own catalogue
    already translates ", " as "，" for every other use.)"""
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(v for v in values if v)


def _facts(record: MinutesRecord) -> list[str]:
    return [
        _labelled(str(MEETING_TYPE), record.kind),
        _labelled(str(TIME), record.held_at),
        _labelled(str(PLACE), record.place),
        _labelled(str(CHAIR), record.chair),
        _labelled(str(RECORDER), record.secretary),
        _labelled(str(PARTICIPANTS), _joined(record.participants)),
        _labelled(str(PARTICIPATING_UNITS), _joined(record.units)),
    ]


@dataclass(frozen=True)
class _Block:
    """One item's text: its heading, then (text, indented) lines."""

    heading: str
    lines: tuple[tuple[str, bool], ...]


def _list_lines(label: str, values: Sequence[str], *, required: bool) -> list[tuple[str, bool]]:
    """One value on the label's line; several under it, numbered and indented; none as "无"
    (or no line at all when the list is not ``required``)."""
    values = [v for v in values if v]
    if not values:
        return [(_labelled(label, ""), False)] if required else []
    if len(values) == 1:
        return [(_labelled(label, values[0]), False)]
    head = str(LABEL_ONLY) % {"label": label}
    return [(head, False)] + [(f"（{n}）{v}", True) for n, v in enumerate(values, start=1)]


def _item_block(item: MinutesItem) -> _Block:
    lines: list[tuple[str, bool]] = [(_labelled(str(SOURCE), item.source), False)]
    lines += _list_lines(str(EVIDENCE), item.evidence, required=True)
    lines.append((_labelled(str(DECISION), item.decision), False))
    lines += _list_lines(str(CHANGES), item.changes, required=False)
    return _Block(heading=f"{item.position}. {item.title}", lines=tuple(lines))


def _columns() -> list[str]:
    return [
        str(c)
        for c in (COL_NUMBER, COL_MATTER, COL_LEAD, COL_CO_UNITS, COL_OWNER, COL_DUE, COL_CLOSING)
    ]


def _action_rows(record: MinutesRecord) -> list[list[str]]:
    """Every action item of every item, in order, as table rows."""
    return [
        [a.number, a.title, a.lead, _joined(a.co_units), a.owner, a.due, a.closing_rule]
        for item in record.items
        for a in item.action_items
    ]


def _approval(record: MinutesRecord) -> str:
    if record.approved:
        return _labelled(str(APPROVED), record.approved)
    return str(DRAFT)


# --- .docx ---------------------------------------------------------------------------------

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _docx_font(run_or_style, east_asia: str) -> None:
    """Latin and East Asian fonts on a run or a style (Word picks w:eastAsia for Chinese)."""
    run_or_style.font.name = LATIN_FONT
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:eastAsiaTheme", "w:asciiTheme", "w:hAnsiTheme"):
        rfonts.attrib.pop(qn(theme), None)


def _docx_run(
    paragraph: DocxParagraph, text: str, *, heading: bool = False, size: float | None = None
) -> None:
    run = paragraph.add_run(_clean(text))
    _docx_font(run, HEADING_FONT if heading else BODY_FONT)
    if heading:
        run.bold = True
    if size is not None:
        run.font.size = Pt(size)


def minutes_docx(record: MinutesRecord) -> bytes:
    """The minutes as a Word document (A4, 宋体 body, 黑体 headings, the action items as a grid)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    normal = doc.styles["Normal"]
    _docx_font(normal, BODY_FONT)
    normal.font.size = Pt(12)

    core = doc.core_properties
    core.title = _clean(record.title)
    core.subject = str(SUBJECT)
    core.identifier = _clean(record.number)
    core.author = _clean(record.secretary)
    core.comments = ""

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_run(title, record.title, heading=True, size=18)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_run(number, str(NUMBER) % {"number": record.number})

    for line in _facts(record):
        _docx_run(doc.add_paragraph(), line)

    def heading(text: str, size: float = 14) -> None:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        _docx_run(p, text, heading=True, size=size)

    heading(str(ITEMS_HEADING))
    if not record.items:
        _docx_run(doc.add_paragraph(), str(NONE))
    for item in record.items:
        block = _item_block(item)
        heading(block.heading, size=12)
        for text, indented in block.lines:
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Mm(14 if indented else 7)
            _docx_run(p, text)

    heading(str(ACTIONS_HEADING))
    rows = _action_rows(record)
    if not rows:
        _docx_run(doc.add_paragraph(), str(NONE))
    else:
        table = doc.add_table(rows=1, cols=len(_columns()))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for cell, text in zip(header.cells, _columns(), strict=True):
            _docx_run(cell.paragraphs[0], text, heading=True, size=10.5)
        for values in rows:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                _docx_run(cell.paragraphs[0], text, size=10.5)

    approval = doc.add_paragraph()
    approval.paragraph_format.space_before = Pt(18)
    _docx_run(approval, _approval(record))
    if record.note:
        _docx_run(doc.add_paragraph(), _labelled(str(NOTE), record.note))

    out = BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------

# The font and the escaping are shared with every PDF mashang makes (``mashang.core.pdf``).
_register_pdf_font = pdf_font_register
_pdf_font = pdf_font
_markup = pdf_markup


def minutes_pdf(record: MinutesRecord) -> bytes:
    """The minutes as an A4 PDF with a Chinese font; the title is in the document's metadata."""
    return _pdf_bytes(record, font=_pdf_font())


def _pdf_bytes(record: MinutesRecord, *, font: str) -> bytes:
    def style(name: str, size: float = 11, **kw) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **kw
        )

    title_style = style("title", 18, alignment=TA_CENTER, spaceAfter=4)
    number_style = style("number", 11, alignment=TA_CENTER, spaceAfter=10)
    heading_style = style("heading", 14, spaceBefore=10, spaceAfter=4)
    item_style = style("item", 12, spaceBefore=6, spaceAfter=2)
    body = style("body")
    indented = [style("line", leftIndent=7 * mm), style("subline", leftIndent=14 * mm)]
    cell = style("cell", 9)
    head_cell = style("head", 9)

    story: list = [
        Paragraph(_markup(record.title), title_style),
        Paragraph(_markup(str(NUMBER) % {"number": record.number}), number_style),
    ]
    story += [Paragraph(_markup(line), body) for line in _facts(record)]

    story.append(Paragraph(_markup(str(ITEMS_HEADING)), heading_style))
    if not record.items:
        story.append(Paragraph(_markup(str(NONE)), body))
    for item in record.items:
        block = _item_block(item)
        story.append(Paragraph(_markup(block.heading), item_style))
        story += [Paragraph(_markup(text), indented[sub]) for text, sub in block.lines]

    story.append(Paragraph(_markup(str(ACTIONS_HEADING)), heading_style))
    rows = _action_rows(record)
    if not rows:
        story.append(Paragraph(_markup(str(NONE)), body))
    else:
        widths = [29 * mm, 37 * mm, 22 * mm, 22 * mm, 16 * mm, 22 * mm, 22 * mm]  # 170 mm
        data = [[Paragraph(_markup(c), head_cell) for c in _columns()]]
        data += [[Paragraph(_markup(v), cell) for v in values] for values in rows]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F2")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)

    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(_markup(_approval(record)), body))
    if record.note:
        story.append(Paragraph(_markup(_labelled(str(NOTE), record.note)), body))

    def page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
        canvas.restoreState()

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_clean(record.title),
        subject=str(SUBJECT),
        author=_clean(record.secretary),
        creator="mashang",
        lang="zh-CN",
    )
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()

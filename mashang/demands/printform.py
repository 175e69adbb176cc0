"""A demand as the office's form (诉求办理单): the record both the print page and the PDF show.

Pure: :class:`PrintRecord` is display text already formatted and already cut to what the
reader may read (the view builds it from the selector's ``DemandDetail``); :func:`form_pdf`
draws it as an A4 PDF with the Chinese font of every mashang PDF (``mashang.core.pdf``).
User text is data, never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mashang.core.pdf import pdf_font, pdf_markup, xml_clean

FORM_TITLE = _("Demand handling form")
H_FACTS = _("The demand")
H_DESCRIPTION = _("Description")
H_UNITS = _("Handling units")
H_DEADLINES = _("Deadlines")
H_ANSWER = _("Handling")
H_TIMELINE = _("Timeline")
H_SIGNATURES = _("Signatures")
COL_DEADLINE = _("Deadline")
COL_DUE = _("Due")
COL_DONE = _("Completed at")
COL_RESULT = _("Result")
COL_TIME = _("Time")
COL_WHO = _("Who")
COL_WHAT = _("What")
COL_NOTE = _("Note")
SIGN_HANDLER = _("Handled by")
SIGN_HEAD = _("Head of the unit")
SIGN_DATE = _("Date")
PRINTED_AT = _("Printed at %(at)s by %(who)s")
NONE = "—"


@dataclass(frozen=True)
class DeadlineLine:
    label: str
    due: str
    done: str
    result: str


@dataclass(frozen=True)
class TimelineLine:
    at: str
    who: str
    what: str
    note: str


@dataclass(frozen=True)
class PrintRecord:
    number: str
    title: str
    #: (label, value) of the facts: enterprise, contact, channel, hotline number, category…
    facts: list[tuple[str, str]]
    description: str
    #: (label, value): the lead unit and the co-units.
    units: list[tuple[str, str]]
    deadlines: list[DeadlineLine]
    #: (label, text) of the unit's answer the reader may read (assessment, reply).
    answer: list[tuple[str, str]]
    timeline: list[TimelineLine]
    printed: str
    signatures: list[str] = field(default_factory=lambda: [str(SIGN_HANDLER), str(SIGN_HEAD), str(SIGN_DATE)])


def form_filename(record: PrintRecord) -> str:
    """An ASCII file name from the number, whatever it holds."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", record.number).strip(".-")
    return f"demand-{stem}.pdf" if stem else "demand.pdf"


def form_pdf(record: PrintRecord) -> bytes:
    """The form as an A4 PDF with a Chinese font."""
    font = pdf_font()

    def style(name: str, size: float = 10, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **kw)

    title_style = style("title", 18, alignment=TA_CENTER, spaceAfter=2)
    number_style = style("number", 10, alignment=TA_CENTER, spaceAfter=8)
    heading = style("heading", 12, spaceBefore=8, spaceAfter=3)
    body = style("body")
    cell = style("cell", 9)

    def p(text: str, st: ParagraphStyle = cell) -> Paragraph:
        return Paragraph(pdf_markup(text or NONE), st)

    def table(rows: list[list[str]], widths: list[float], *, head: bool = False) -> Table:
        t = Table([[p(c) for c in row] for row in rows], colWidths=widths, repeatRows=1 if head else 0)
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if head:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")))
        else:
            commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0")))
        t.setStyle(TableStyle(commands))
        return t

    story: list = [
        p(str(FORM_TITLE), title_style),
        p(record.number, number_style),
        p(str(H_FACTS), heading),
        table([[label, value] for label, value in record.facts], [35 * mm, 135 * mm]),
        p(str(H_DESCRIPTION), heading),
        p(record.description, body),
        p(str(H_UNITS), heading),
        table([[label, value] for label, value in record.units], [35 * mm, 135 * mm]),
        p(str(H_DEADLINES), heading),
        table(
            [[str(COL_DEADLINE), str(COL_DUE), str(COL_DONE), str(COL_RESULT)]]
            + [[d.label, d.due, d.done, d.result] for d in record.deadlines],
            [40 * mm, 45 * mm, 45 * mm, 40 * mm],
            head=True,
        ),
    ]
    if record.answer:
        story.append(p(str(H_ANSWER), heading))
        story.append(table([[label, text] for label, text in record.answer], [35 * mm, 135 * mm]))
    story.append(p(str(H_TIMELINE), heading))
    story.append(
        table(
            [[str(COL_TIME), str(COL_WHO), str(COL_WHAT), str(COL_NOTE)]]
            + [[e.at, e.who, e.what, e.note] for e in record.timeline],
            [30 * mm, 35 * mm, 40 * mm, 65 * mm],
            head=True,
        )
    )
    story.append(p(str(H_SIGNATURES), heading))
    sign = Table(
        [[p(label) for label in record.signatures], ["", "", ""]],
        colWidths=[60 * mm, 60 * mm, 50 * mm],
        rowHeights=[None, 18 * mm],
    )
    sign.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story += [sign, Spacer(1, 4 * mm), p(record.printed, body)]

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=xml_clean(f"{record.number} {record.title}"),
        subject=str(FORM_TITLE),
        creator="mashang",
        lang="zh-CN",
    )
    doc.build(story)
    return out.getvalue()

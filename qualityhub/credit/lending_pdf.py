"""The downloadable lender report: a PDF drawn with reportlab's built-in CID font
STSong-Light (Chinese without shipping a font file). The verification number is also
written in Helvetica and into the document's metadata, so it stays machine-readable."""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from django.utils import timezone
from django.utils.html import escape

FONT = "STSong-Light"
_registered = False


def _font():
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _table(headers, rows, widths):
    style = ParagraphStyle("cell", fontName=_font(), fontSize=8, leading=10)
    data = [[Paragraph(escape(h), style) for h in headers]]
    data += [[Paragraph(escape(str(v if v not in (None, "") else "—")), style) for v in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def report_pdf(report, verify_url=None):
    s = report.snapshot
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    latin = ParagraphStyle("latin", fontName="Helvetica", fontSize=9, leading=13)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        title=f"质量信用报告 {report.number}", subject=f"verification number {report.number}",
        author=s.get("platform", ""), pageCompression=0,
    )
    issued = timezone.localtime(report.issued_at).strftime("%Y-%m-%d %H:%M")
    story = [
        Paragraph("企业质量信用报告", title),
        Paragraph(f"核验编号：{report.number}", body),
        Paragraph(f"Verification number: {report.number}", latin),
        Paragraph(f"出具时间：{issued}　出具平台：{escape(s.get('platform', ''))}", body),
        Paragraph(f"出具对象：{escape(s['issued_to']['bank'])} {escape(s['issued_to']['user'])}", body),
        Paragraph(f"内容摘要（SHA-256）：{report.content_hash}", body),
        Paragraph(f"核验地址：{escape(verify_url or '/verify/' + report.number)}", body),
        Spacer(1, 4 * mm),
        Paragraph(f"企业名称：{escape(s['enterprise']['name'])}", body),
        Paragraph(f"统一社会信用代码：{s['enterprise']['uscc']}", body),
        Paragraph(f"报告类型：{escape(s['report_kind_display'])}", body),
        Paragraph(f"荣誉称号：{escape('、'.join(s['honours']) or '—')}", body),
    ]
    if "good_standing_tier" in s:
        tier = s["good_standing_tier"]
        story.append(Paragraph(f"质量信用良好名单：{f'连续{tier}年无不合格' if tier else '未列入'}", body))
    if "risk_class" in s:
        rc = s["risk_class"]
        story.append(Paragraph(f"风险分类：{escape(rc['display']) if rc else '尚未分类'}", body))
    story.append(Paragraph("信用记录", heading))
    story.append(_table(
        ["日期", "类型", "来源部门", "文书编号", "事实摘要", "状态"],
        [[r["fact_date"], r["kind_display"], r["source_department"], r["reference"], r["summary"], r["status_display"]]
         for r in s["records"]] or [["—"] * 6],
        [20, 30, 30, 30, 56, 14],
    ))
    story.append(Paragraph("监督抽查历史", heading))
    story.append(_table(
        ["日期", "结果", "产品", "文书编号"],
        [[r["fact_date"], r["kind_display"], r["product"], r["reference"]] for r in s["sampling_history"]] or [["—"] * 4],
        [25, 50, 60, 45],
    ))
    doc.build(story)
    return buffer.getvalue()

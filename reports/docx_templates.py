"""The shipped Word templates (docxtpl) of the 整改通知 and the 通报 draft, built with
python-docx so their source is readable here. The .docx files in templates/ are what the
office copies and edits (layout, letterhead, wording); `{{ … }}` are the fields govaudit fills
and `{%tr for … %}` rows repeat per item (README, 整改通知与通报).

Rebuild after changing this file:  python3 -m govaudit.reports.docx_templates
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

TEMPLATES = Path(__file__).parent / "templates"


def _table(document: Any, header: list[str], cells: list[str], loop: str) -> None:
    table = document.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for index, text in enumerate(header):
        table.rows[0].cells[index].text = text
        for run in table.rows[0].cells[index].paragraphs[0].runs:
            run.bold = True
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for index, text in enumerate(cells):
        table.rows[2].cells[index].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _title(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(18)


def build_notice(path: Path) -> None:
    document = Document()
    _title(document, "政府网站检查问题整改通知")
    document.add_paragraph("{{ unit }}：")
    document.add_paragraph(
        "{{ office }}于 {{ today }} 对你单位负责的政府网站进行了检查（运行编号 {{ run_id }}），"
        "发现以下 {{ count }} 个问题{% if veto_count %}，其中单项否决问题 {{ veto_count }} 个{% endif %}。"
        "请对照问题描述和证据链接逐项核实整改，在整改期限前完成，并将整改情况报{{ office }}。"
        "{% if plan_title %}本次检查依据《{{ plan_title }}》{% if plan_document %}（{{ plan_document }}）{% endif %}"
        "和国家有关政府网站管理规定。{% endif %}")
    document.add_paragraph("涉及网站：{% for s in sites %}{{ s.name }}（{{ s.verdict }}{% if s.score is not none %}，"
                           "{{ s.score }} 分{% endif %}）{% if not loop.last %}；{% endif %}{% endfor %}")
    _table(document, ["序号", "网站", "问题", "严重程度", "问题描述", "证据链接", "首次发现", "整改期限", "状态"],
           ["{{ item.no }}", "{{ item.site }}", "{{ item.title }}", "{{ item.severity }}", "{{ item.message }}",
            "{{r item.link }}", "{{ item.first_seen }}", "{{ item.deadline }}", "{{ item.standing }}"], "item in items")
    document.add_paragraph("")
    document.add_paragraph("说明：整改期限自首次发现之日起计算（单项否决 {{ days.veto }} 天，扣分 {{ days.deduct }} 天，"
                           "提示 {{ days.notice }} 天）。如认为某项不属实，请在期限内书面说明理由，经复核后标记为误报。")
    document.add_paragraph("{% if contact %}联系人：{{ contact }}{% endif %}")
    closing = document.add_paragraph("{{ office }}\n{{ issued }}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(path))


def build_bulletin(path: Path) -> None:
    document = Document()
    _title(document, "关于{{ today_cn }}政府网站专项检查情况的通报（草稿）")
    document.add_paragraph("各有关单位：")
    document.add_heading("一、总体情况", level=2)
    document.add_paragraph(
        "{{ today }}，{{ office }}对 {{ overview.sites }} 个政府网站进行了检查。其中合格 {{ overview.passed }} 个，"
        "不合格 {{ overview.failed }} 个{% if overview.undecided %}，无法判定 {{ overview.undecided }} 个{% endif %}；"
        "共发现问题 {{ overview.findings }} 个，其中单项否决问题 {{ overview.veto }} 个"
        "{% if overview.has_history %}；较上次检查新发现 {{ overview.new }} 个，已整改 {{ overview.fixed }} 个{% endif %}。")
    document.add_heading("二、各单位情况", level=2)
    _table(document, ["排名", "责任单位", "网站数", "不合格网站", "问题数", "单项否决问题", "平均得分"],
           ["{{ u.rank }}", "{{ u.unit }}", "{{ u.sites }}", "{{ u.failed }}", "{{ u.findings }}", "{{ u.veto }}",
            "{{ u.average }}"], "u in units")
    document.add_heading("三、主要问题", level=2)
    _table(document, ["问题", "数量", "涉及网站", "典型示例", "依据"],
           ["{{ p.title }}", "{{ p.count }}", "{{ p.sites }}", "{{ p.example }}", "{{ p.basis }}"], "p in problems")
    document.add_heading("四、不合格网站", level=2)
    _table(document, ["网站", "责任单位", "得分", "原因"],
           ["{{ s.name }}", "{{ s.unit }}", "{{ s.score }}", "{{ s.reason }}"], "s in failed_sites")
    document.add_heading("五、下一步工作", level=2)
    document.add_paragraph("请各单位对照问题清单认真整改，单项否决问题于 {{ days.veto }} 天内整改完毕，其他问题按整改通知的期限完成，"
                           "并举一反三，建立健全网站日常监测和信息发布审核机制。{{ office }}将适时组织复查，"
                           "对整改不到位的单位予以通报。")
    closing = document.add_paragraph("{{ office }}\n{{ issued }}")
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(path))


if __name__ == "__main__":
    build_notice(TEMPLATES / "notice.docx")
    build_bulletin(TEMPLATES / "bulletin.docx")
    print(f"written: {TEMPLATES / 'notice.docx'}, {TEMPLATES / 'bulletin.docx'}")

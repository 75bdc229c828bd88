"""Real-shaped yearly reports (HTML, in the 2019 or 2021 national format) for the demo portal
and the tests: the six sections, 表二, 表三 with its merged label cells, 表四."""

from __future__ import annotations

from html import escape

REFUSE = ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
          "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")
UNABLE = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
NO_HANDLE = ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
             "5.要求行政机关确认或重新出具已获取信息")
OTHER = ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")

# A consistent 表三 (six applicant columns; 总计 is computed): row key -> numbers.
CONSISTENT = {
    "new": [20, 5, 0, 0, 0, 1], "carried_in": [2, 0, 0, 0, 0, 0],
    "open": [10, 2, 0, 0, 0, 1], "partial": [3, 1, 0, 0, 0, 0],
    "refuse_4": [1, 0, 0, 0, 0, 0], "unable_1": [4, 1, 0, 0, 0, 0], "nohandle_2": [1, 0, 0, 0, 0, 0],
    "other_3": [1, 0, 0, 0, 0, 0], "carried_out": [2, 1, 0, 0, 0, 0],
}


def _cells(values: list[int], blank_zero: bool) -> str:
    return "".join(f"<td>{'' if blank_zero and v == 0 else v}</td>" for v in values)


def _row(numbers: dict[str, list[int]], key: str, blank_zero: bool, overrides: dict[tuple[str, int], int]) -> str:
    values = list(numbers.get(key, [0] * 6))
    values.append(sum(values))
    for (row, column), value in overrides.items():
        if row == key:
            values[column] = value
    return _cells(values, blank_zero)


def _table3(fmt: str, numbers: dict[str, list[int]], blank_zero: bool, overrides: dict[tuple[str, int], int]) -> str:
    if fmt == "2019":  # one 其他处理 row
        numbers = {("other" if k.startswith("other_") else k): v for k, v in numbers.items()}
    total = {"total": [sum(numbers.get(k, [0] * 6)[c] for k in numbers if k not in ("new", "carried_in", "carried_out"))
                       for c in range(6)]}
    merged = {**numbers, **total}
    other_rows = OTHER if fmt == "2021" else ("（六）其他处理",)
    rows = ["<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
            "<td colspan='7'>申请人情况</td></tr>",
            "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>",
            "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
            f"<tr><td colspan='3'>一、本年新收政府信息公开申请数量</td>{_row(merged, 'new', blank_zero, overrides)}</tr>",
            f"<tr><td colspan='3'>二、上年结转政府信息公开申请数量</td>{_row(merged, 'carried_in', blank_zero, overrides)}</tr>"]
    result_rows: list[tuple[str, str | None, str]] = [
        ("（一）予以公开", None, "open"), ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "partial")]
    result_rows += [("（三）不予公开", label, f"refuse_{i + 1}") for i, label in enumerate(REFUSE)]
    result_rows += [("（四）无法提供", label, f"unable_{i + 1}") for i, label in enumerate(UNABLE)]
    result_rows += [("（五）不予处理", label, f"nohandle_{i + 1}") for i, label in enumerate(NO_HANDLE)]
    if fmt == "2021":
        result_rows += [("（六）其他处理", label, f"other_{i + 1}") for i, label in enumerate(OTHER)]
    else:
        result_rows += [("（六）其他处理", None, "other")]
    result_rows += [("（七）总计", None, "total")]
    spans = {"（三）不予公开": len(REFUSE), "（四）无法提供": len(UNABLE), "（五）不予处理": len(NO_HANDLE),
             "（六）其他处理": len(other_rows) if fmt == "2021" else 1}
    seen: set[str] = set()
    for index, (group, label, key) in enumerate(result_rows):
        lead = f"<td rowspan='{len(result_rows)}'>三、本年度办理结果</td>" if index == 0 else ""
        if label is None:
            cells = f"<td colspan='2'>{group}</td>"
        elif group not in seen:
            seen.add(group)
            cells = f"<td rowspan='{spans[group]}'>{group}</td><td>{label}</td>"
        else:
            cells = f"<td>{label}</td>"
        rows.append(f"<tr>{lead}{cells}{_row(merged, key, blank_zero, overrides)}</tr>")
    rows.append(f"<tr><td colspan='3'>四、结转下年度继续办理</td>{_row(merged, 'carried_out', blank_zero, overrides)}</tr>")
    return "<table border='1' class='t3'>" + "".join(rows) + "</table>"


def _table4(values: list[int]) -> str:
    header = ("<tr><td colspan='5' rowspan='2'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
              "<tr><td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr>"
              "<tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 3 + "</tr>")
    return f"<table border='1' class='t4'>{header}<tr>{_cells(values, False)}</tr></table>"


def report_html(year: int, **options: object) -> str:
    """A whole page holding the report (its date as the placeholder {published})."""
    title, body = report_parts(year, **options)  # type: ignore[arg-type]
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1><div class='info'>发布日期：{{published}}</div>{body}</body></html>")


def report_parts(year: int, *, unit: str = "珠海高新区", fmt: str | None = None,
                numbers: dict[str, list[int]] | None = None, overrides: dict[tuple[str, int], int] | None = None,
                blank_zero: bool = False, drop_section: str | None = None, prose_new: int | None = None,
                table4: list[int] | None = None, work_points: bool = True) -> tuple[str, str]:
    """(title, body HTML) of a report; `overrides` break chosen cells ((row key, column) -> value)."""
    fmt = fmt or ("2019" if year <= 2020 else "2021")
    numbers = numbers or CONSISTENT
    new_total = sum(numbers["new"])
    table4 = table4 or [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    sections = {
        "一、总体情况": f"<p>{year}年，{escape(unit)}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                     f"全年共收到政府信息公开申请{prose_new if prose_new is not None else new_total}件。"
                     + ("对照年度政务公开工作要点，逐项落实各项任务。" if work_points else "") + "</p>",
        "二、主动公开政府信息情况": "<table border='1' class='t2'><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td>"
                              "<td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
                              "<tr><td>行政规范性文件</td><td>3</td><td>1</td><td>12</td></tr></table>",
        "三、收到和处理政府信息公开申请情况": _table3(fmt, numbers, blank_zero, overrides or {}),
        "四、政府信息公开行政复议、行政诉讼情况": _table4(table4),
        "五、存在的主要问题及改进情况": "<p>主动公开的及时性有待提高，下一步将加强培训。</p>",
        "六、其他需要报告的事项": "<p>本年度未收取信息处理费。</p>",
    }
    body = "".join(f"<h3>{name}</h3>{content}" for name, content in sections.items() if name != drop_section)
    return f"{escape(unit)}{year}年政府信息公开工作年度报告", body

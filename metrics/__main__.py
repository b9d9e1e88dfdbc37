"""Command line: python -m metrics show --period PERIOD [--unit NAME] [--json]
and python -m metrics export --period PERIOD --format pptx|xlsx|docx [--out FILE]."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from data import actions, auth
from data.cli import ChineseParser
from data.store import StoreBusy
from metrics.catalogue import BY_CODE
from metrics.compute import values_json
from metrics.format import fmt_value
from metrics.periods import parse_period


def main(argv: list[str] | None = None) -> int:
    p = ChineseParser(prog="python -m metrics", description="法治指标看板：指标计算")
    p.add_argument("--db", help="数据库文件路径（默认取环境变量 FAZHI_DB）")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseParser)
    show = sub.add_parser("show", help="显示某一期间的全部指标")
    show.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    show.add_argument("--period", required=True, help="2025、2025Q1 或 2025-03")
    show.add_argument("--unit", help="只显示全镇和这个单位")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    exp = sub.add_parser("export", help="导出考核会议幻灯片（pptx）、指标工作簿（xlsx）或年度报告数据部分草稿（docx）")
    exp.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    # Checked below rather than by argparse, whose messages are English.
    exp.add_argument("--period", help="2025、2025Q1 或 2025-03")
    exp.add_argument("--format", dest="fmt", metavar="FORMAT", help="pptx、xlsx 或 docx（不填时按 --out 的扩展名）")
    exp.add_argument("--out", metavar="FILE", help="输出文件（默认：当前目录下的标准文件名）")
    args = p.parse_args(argv)
    db = args.db_sub or args.db
    if args.command == "export":
        return export_command(args, db)
    try:
        period = parse_period(args.period)
    except ValueError as e:
        sys.stderr.write(f"参数错误：{e}\n")
        return 2
    try:
        doc = values_json(period, db, unit=args.unit)
    except StoreBusy as e:
        sys.stderr.write(f"错误：{e}\n")
        return 1
    if args.unit and not any(args.unit in v for v in doc["values"].values()):
        sys.stderr.write(f"参数错误：没有名为“{args.unit}”的已配置单位\n")
        return 2
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"期间：{period.label_zh}")
    for code, by_unit in doc["values"].items():
        ind = BY_CODE[code]
        cells = "  ".join(f"{name} {fmt_value(v, ind.fmt)}" for name, v in by_unit.items())
        print(f"{ind.name}（{code}）：{cells}")
    return 0


def export_command(args, db) -> int:
    """Write one export file; 2 for a usage error, 1 when nothing can be written."""
    from metrics import export  # here, so that `show` does not pay for loading python-pptx and python-docx

    def usage(message: str) -> int:
        sys.stderr.write(f"参数错误：{message}\n")
        return 2

    if not args.period:
        return usage("请用 --period 指定期间，如 2025（年）、2025Q1（季度）或 2025-03（月）")
    fmt = (args.fmt or (Path(args.out).suffix.lstrip(".") if args.out else "")).lower()
    if not fmt:
        return usage("请用 --format 指定导出格式：pptx、xlsx 或 docx")
    if fmt not in export.FORMATS:
        return usage(f"不支持的导出格式“{fmt}”：请选择 pptx（幻灯片）、xlsx（工作簿）或 docx（报告草稿）")
    try:
        period = parse_period(args.period)
    except ValueError as e:
        return usage(str(e))
    out = Path(args.out or export.file_name(period, fmt))
    try:
        if not export.has_data(period, db):
            sys.stderr.write(f"错误：数据库中没有{period.label_zh}的报表数据，未生成文件。"
                             "请先导入报表（python -m data import）或载入示例数据（python -m data sample）\n")
            return 1
        content = export.export(fmt, period, db)
    except StoreBusy as e:
        sys.stderr.write(f"错误：{e}\n")
        return 1
    try:
        out.write_bytes(content)
    except OSError as e:
        reason = {FileNotFoundError: "所在文件夹不存在", PermissionError: "没有写入权限",
                  IsADirectoryError: "这是一个文件夹"}.get(type(e), e.strerror or str(e))
        sys.stderr.write(f"错误：无法写入文件 {out}：{reason}\n")
        return 1
    actions.exported(auth.User("cli", "admin"), f"{out.name}（命令行）", db)
    print(f"已导出{period.label_zh}的{export.FORMATS[fmt].kind}：{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

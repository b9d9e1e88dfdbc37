"""Command line: python -m metrics show --period PERIOD [--unit NAME] [--json]."""
from __future__ import annotations

import argparse
import json
import sys

from data.store import StoreBusy
from metrics.catalogue import BY_CODE
from metrics.compute import values_json
from metrics.format import fmt_value
from metrics.periods import parse_period


class ChineseParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"参数错误：{message}\n")
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    p = ChineseParser(prog="python -m metrics", description="法治指标看板：指标计算")
    p.add_argument("--db", help="数据库文件路径（默认取环境变量 FAZHI_DB）")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseParser)
    show = sub.add_parser("show", help="显示某一期间的全部指标")
    show.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    show.add_argument("--period", required=True, help="2025、2025Q1 或 2025-03")
    show.add_argument("--unit", help="只显示全镇和这个单位")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    args = p.parse_args(argv)
    db = args.db_sub or args.db
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


if __name__ == "__main__":
    sys.exit(main())

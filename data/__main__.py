"""Command line for administrators and automation: python -m data import|history|rollback|template|sample."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data import actions, auth, store
from data.cli import ChineseParser
from data.config import db_path, load_units
from data.importer import Upload
from data.schema import TEMPLATES


CLI = auth.User("cli", "admin")  # whoever has a shell on the server administers it


def _parser() -> argparse.ArgumentParser:
    p = ChineseParser(prog="python -m data", description="法治指标看板：数据导入与管理")
    p.add_argument("--db", help="数据库文件路径（默认取环境变量 FAZHI_DB）")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseParser)
    imp = sub.add_parser("import", help="导入一个或多个报表文件（全部通过才写入）")
    imp.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    imp.add_argument("--user", default="cli", help="记录在上传日志中的用户名")
    imp.add_argument("files", nargs="+", metavar="FILE")
    his = sub.add_parser("history", help="列出上传记录")
    his.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    rb = sub.add_parser("rollback", help="撤销一次上传，恢复它替换掉的数据")
    rb.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    rb.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    tpl = sub.add_parser("template", help="生成空白填报模板")
    tpl.add_argument("name", choices=list(TEMPLATES), metavar="NAME")
    tpl.add_argument("--out", required=True, metavar="FILE")
    usr = sub.add_parser("user", help="账号管理：user add / user list")
    usr.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    usub = usr.add_subparsers(dest="user_command", required=True, parser_class=ChineseParser)
    add = usub.add_parser("add", help="添加账号")
    add.add_argument("--db", dest="db_sub2", help=argparse.SUPPRESS)
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=list(auth.ROLES), metavar="ROLE",
                     help="admin（管理员）、leader（领导）或 clerk（填报员）")
    add.add_argument("--unit", help="填报员绑定的单位名称或代码")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    lst = usub.add_parser("list", help="列出账号")
    lst.add_argument("--db", dest="db_sub2", help=argparse.SUPPRESS)
    sam = sub.add_parser("sample", help="载入 2025 年示例数据（--remove 删除）")
    sam.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    sam.add_argument("--remove", action="store_true", help="删除全部示例数据")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = getattr(args, "db_sub2", None) or getattr(args, "db_sub", None) or args.db
    try:
        return COMMANDS[args.command](args, db)
    except (store.StoreBusy, auth.AuthError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1


def cmd_import(args, db) -> int:
    uploads = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"文件「{name}」不存在", file=sys.stderr)
            return 2
        uploads.append(Upload(path.name, path.read_bytes()))
    result = actions.upload(auth.User(args.user, "admin"), uploads, db)
    for note in result.notes:
        print(f"提示：{note}")
    if not result.ok:
        for problem in result.problems:
            print(problem.line())
        print(f"导入被拒绝：共 {len(result.problems)} 处问题，未写入任何数据。", file=sys.stderr)
        return 1
    print(f"导入成功（上传编号 {result.upload_id}）：新增 {result.added} 行，替换 {result.replaced} 行，"
          f"未变化 {result.unchanged} 行。数据库：{db_path(db)}")
    return 0


def cmd_history(args, db) -> int:
    frame = store.history(db)
    if frame.empty:
        print("还没有上传记录。")
        return 0
    for r in frame.itertuples():
        state = f"（已于 {r.rolled_back_at:%Y-%m-%d %H:%M} 撤销）" if r.rolled_back_at is not None and str(r.rolled_back_at) != "NaT" else ""
        tag = "［示例］" if r.sample else ""
        print(f"{r.id}\t{r.uploaded_at:%Y-%m-%d %H:%M}\t{r.user_name}\t{tag}{r.files}\t新增 {r.rows_added} 替换 {r.rows_replaced} "
              f"未变 {r.rows_unchanged}{state}\tSHA-256 {r.sha256}")
    return 0


def cmd_rollback(args, db) -> int:
    try:
        done = actions.rollback(CLI, args.upload_id, db)
    except store.RollbackRefused as e:
        print(f"无法撤销：{e}", file=sys.stderr)
        return 1
    print(f"已撤销第{done['upload_id']}次上传：移除 {done['removed']} 行，恢复 {done['restored']} 行。")
    return 0


def cmd_template(args, db) -> int:
    from data.template_xlsx import write_template

    write_template(args.name, args.out)
    print(f"已生成模板「{TEMPLATES[args.name].title}」：{args.out}")
    return 0


def cmd_sample(args, db) -> int:
    if args.remove:
        n = actions.remove_sample(CLI, db)
        print(f"已删除示例数据（{n} 次示例上传）。")
        return 0
    result = actions.load_sample(CLI, db)
    if not result.ok:
        for problem in result.problems:
            print(problem.line())
        return 1
    print(f"已载入 2025 年示例数据：新增 {result.added} 行，替换 {result.replaced} 行。")
    return 0


def cmd_user(args, db) -> int:
    if args.user_command == "list":
        frame = auth.users(db)
        if frame.empty:
            print("还没有账号。")
        for r in frame.itertuples():
            unit = f"\t{load_units().by_code(r.unit).name}" if isinstance(r.unit, str) else ""
            print(f"{r.name}\t{auth.ROLES[r.role]}{unit}")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass("密码：")
    user = auth.add_user(args.name, args.role, password, args.unit, db, by="cli")
    unit = f"，单位 {load_units().by_code(user.unit).name}" if user.unit else ""
    print(f"已添加账号 {user.name}（{user.role_zh}{unit}）")
    return 0


COMMANDS = {"import": cmd_import, "history": cmd_history, "rollback": cmd_rollback,
            "template": cmd_template, "sample": cmd_sample, "user": cmd_user}

if __name__ == "__main__":
    sys.exit(main())

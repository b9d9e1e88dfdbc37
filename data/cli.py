"""Chinese argument parsing for the command lines (python -m data, python -m metrics)."""
from __future__ import annotations

import argparse
import sys

# argparse words its messages through gettext; these are the ones our commands can show.
_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "expected one argument": "需要一个参数值",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "one of the arguments %s is required": "必须提供以下参数之一：%s",
}
argparse._ = lambda text: _ZH.get(text, text)


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese messages; a usage error exits 2."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"参数错误：{message}\n")
        sys.exit(2)

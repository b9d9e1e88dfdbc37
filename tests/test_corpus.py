"""Real-world spreadsheets from calamine's own test suite (../shared/corpus/spreadsheets): malformed,
password-protected, odd formats, none of them our template. Each, alone or with others, must end in
a Chinese message naming the file: never a traceback, never a hang."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from data.importer import ACCEPTED, MAX_FILES, Upload

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "spreadsheets"
FILES = sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FORMATS = "请上传以下格式之一：.xlsx、.xlsm、.xls、.ods、.csv"


def test_the_corpus_is_there():
    assert len(FILES) >= 100, f"语料目录缺失或不完整：{CORPUS}"


def assert_every_line_names_its_file(result, names: set[str]) -> None:
    for problem in result.problems:
        line = problem.line()
        assert problem.file in names and line.startswith(f"文件「{problem.file}」"), line
        assert CHINESE.search(problem.reason), line


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_corpus_file_alone_ends_in_a_chinese_message_naming_it(path, do_import, db):
    started = time.monotonic()

    result = do_import(Upload(path.name, path.read_bytes()))

    assert time.monotonic() - started < 5
    assert_every_line_names_its_file(result, {path.name})
    if not result.ok:
        assert result.problems and not db.exists()  # rejected before the database was even opened
    if path.suffix.lower() not in ACCEPTED:
        assert [p.line() for p in result.problems] == [
            f"文件「{path.name}」：文件格式“{path.suffix.lower()}”不受支持。{FORMATS}。"]


def test_the_corpus_uploaded_together_names_every_file_it_rejects(baseline, do_import, snapshot):
    for start in range(0, len(FILES), MAX_FILES):
        chunk = FILES[start:start + MAX_FILES]
        names = {p.name for p in chunk}

        result = do_import(*[Upload(p.name, p.read_bytes()) for p in chunk])

        assert not result.ok
        assert_every_line_names_its_file(result, names)
        assert {p.file for p in result.problems} == names
    assert snapshot() == baseline


def test_the_whole_corpus_in_one_call_is_refused_as_too_many_files(baseline, do_import, snapshot):
    result = do_import(*[Upload(p.name, p.read_bytes()) for p in FILES])

    assert [p.line() for p in result.problems] == [
        f"文件「（全部文件）」：一次最多上传 {MAX_FILES} 个文件，本次选择了 {len(FILES)} 个。请分批上传。"]
    assert snapshot() == baseline


@pytest.mark.parametrize("name", ["pass_protected.xlsx", "pass_protected.ods"])
def test_a_password_protected_file_is_reported_as_protected_not_corrupt(name, do_import):
    (problem,) = do_import(Upload(name, (CORPUS / name).read_bytes())).problems

    assert problem.reason == "文件设有打开密码，无法读取"

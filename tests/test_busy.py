"""When another program holds the database, the dashboard says so in Chinese instead of failing."""
import subprocess
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from data import store

ROOT = Path(__file__).resolve().parent.parent
HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(float(sys.argv[2]))"


def test_a_page_opened_while_the_database_is_held_elsewhere_shows_a_chinese_busy_message(tmp_path, monkeypatch):
    db = tmp_path / "busy.duckdb"
    store.history(db)  # create it
    monkeypatch.setenv("FAZHI_DB", str(db))
    monkeypatch.setattr(store, "BUSY_WAIT_SECONDS", 0.5)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "20"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.run()
        assert not at.exception
        assert any("正被另一个程序占用" in e.value for e in at.error)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    at.run()
    assert not at.error and at.title[0].value.startswith("法治建设总览")

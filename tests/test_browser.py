"""The dashboard in a real browser: a streamlit server on the 2025 sample, driven by Chromium.

Pages load without an exception box and draw their charts; clicks on a village open it;
?big=1 enlarges the type; every page is photographed at 1366 and 1920 pixels wide into
artifacts/screenshots/<page>_<width>.png (whole page) for a person to look at.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data.sample import load_sample

import playwright.sync_api as playwright  # noqa: E402 — a missing browser must fail, not skip

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
WAIT_MS = 30_000
SLAB = "石板村"

# path, file stem of the screenshot, the title's start, whether it draws charts
PAGES = [
    ("/", "overview", "法治建设总览 · ", True),
    ("/villages", "villages", "村庄 · ", True),
    ("/indicator", "indicator", "受理矛盾纠纷数 · ", True),
    ("/upload", "upload", "填报", False),
]
SIZES = [(1366, 768), (1920, 1080)]



# --- the server and the browser --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, log: Path, auth_mode: str = "off") -> tuple[subprocess.Popen, str]:
    """streamlit run dashboard.py on a free port, FAZHI_DB=db, sign-in off unless asked; waits for /_stcore/health."""
    port = free_port()
    env = dict(os.environ, FAZHI_DB=str(db), FAZHI_AUTH=auth_mode)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--client.showErrorDetails", "full"],  # so that a failing test shows the traceback
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"streamlit did not answer on {url}: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "fazhi.duckdb"
    assert load_sample(path).ok
    return path


@pytest.fixture(scope="module")
def browser():
    """One Chromium context for every test: plotly's large script is fetched and compiled once."""
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = b.new_context(locale="zh-CN")
        yield context
        context.close()
        b.close()


@pytest.fixture(scope="module")
def server(sample_db, browser, tmp_path_factory) -> str:
    """A running dashboard that someone has already opened once (see the bookmark test for why)."""
    proc, url = start_server(sample_db, tmp_path_factory.mktemp("log") / "streamlit.log")
    try:
        with visit(browser, url + "/", "法治建设总览 · "):
            pass
        yield url
    finally:
        stop(proc)


class visit:
    """A new tab, so a new Streamlit session, on url; with a title, after its run: `with visit(...) as page:`."""

    def __init__(self, browser, url: str, title: str | None, size=(1366, 768)):
        self.page = browser.new_page()
        self.page.set_viewport_size({"width": size[0], "height": size[1]})
        self.page.goto(url)
        if title is not None:
            settle(self.page, title)

    def __enter__(self):
        return self.page

    def __exit__(self, *exc):
        self.page.close()


def settle(page, title: str | None = None, charts: bool = False, timeout: int = WAIT_MS) -> None:
    """Wait for the title (or an exception box), the charts if asked, and the end of the script run."""
    page.wait_for_selector('[data-testid="stMain"] h1, [data-testid="stException"]', timeout=timeout)
    if title is not None and not page.locator('[data-testid="stException"]').count():
        page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")', timeout=timeout)
    if charts:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)


def after_click(page) -> None:
    """Let the rerun a click triggers start (the status widget shows up) and finish."""
    try:
        page.wait_for_selector('[data-testid="stStatusWidget"]', timeout=2000)
    except playwright.TimeoutError:
        pass  # no rerun at all; the assertions that follow say what is missing
    settle(page)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def looked_at_village(page) -> str:
    """The value shown in the 村庄 page's 查看村 box."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="查看村")
    return box.locator("input").get_attribute("value") or box.inner_text()


def full_page_shot(page, path: Path) -> None:
    """Streamlit scrolls inside stMain, so grow the viewport to its content, then photograph."""
    width = page.viewport_size["width"]
    for _ in range(3):
        height = page.evaluate("""() => Math.max(window.innerHeight,
            document.querySelector('[data-testid="stMain"]').scrollHeight)""")
        if height == page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)  # plotly re-lays out its charts on resize
    page.screenshot(path=str(path))


# --- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path, stem, title, has_charts", PAGES, ids=[p[1] for p in PAGES])
def test_every_page_loads_without_an_exception_draws_its_charts_and_is_photographed(
        server, browser, path, stem, title, has_charts):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with visit(browser, server + path, None, SIZES[0]) as page:
        settle(page, title, charts=has_charts)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(300)
            assert exceptions(page) == []
            assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith(title)
            if has_charts:
                assert page.locator('[data-testid="stPlotlyChart"] .main-svg').count() >= 1
                assert page.locator(".js-plotly-plot").count() >= 1
            shot = SHOTS / f"{stem}_{width}.png"
            full_page_shot(page, shot)
            assert shot.stat().st_size > 10_000


def test_projector_mode_from_the_address_makes_the_type_bigger(server, browser):
    sizes = {}
    for query in ("", "?big=1"):
        with visit(browser, server + "/indicator" + query, "受理矛盾纠纷数 · ", SIZES[1]) as page:
            settle(page, "受理矛盾纠纷数 · ", charts=True)
            sizes[query] = page.evaluate("""() => [
                parseFloat(getComputedStyle(document.documentElement).fontSize),
                parseFloat(getComputedStyle(document.querySelector('[data-testid="stMetricValue"]')).fontSize)]""")
            if query:
                SHOTS.mkdir(parents=True, exist_ok=True)
                full_page_shot(page, SHOTS / f"indicator_big_{SIZES[1][0]}.png")
    assert sizes[""][0] == 16
    assert sizes["?big=1"][0] > sizes[""][0]
    assert sizes["?big=1"][1] > sizes[""][1]


def test_clicking_a_village_in_the_heat_map_shows_that_village(server, browser):
    with visit(browser, server + "/villages", "村庄 · ") as page:
        settle(page, "村庄 · ", charts=True)
        heat = page.locator('[data-testid="stPlotlyChart"]').first
        heat.scroll_into_view_if_needed()
        row = heat.locator(".ytick text").filter(has_text=SLAB).bounding_box()
        col = heat.locator(".xtick text").first.bounding_box()
        x, y = col["x"] + col["width"] / 2, row["y"] + row["height"] / 2
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        after_click(page)
        assert exceptions(page) == []
        assert looked_at_village(page) == SLAB


def test_clicking_a_village_bar_on_the_indicator_page_opens_that_village(server, browser):
    with visit(browser, server + "/indicator", "受理矛盾纠纷数 · ") as page:
        settle(page, "受理矛盾纠纷数 · ", charts=True)
        bars = page.locator('[data-testid="stPlotlyChart"]').first
        bars.scroll_into_view_if_needed()
        tick = bars.locator(".ytick text").filter(has_text=SLAB).bounding_box()
        y = tick["y"] + tick["height"] / 2
        bar = next(b for b in (bars.locator(".trace.bars .point path").nth(i).bounding_box()
                               for i in range(bars.locator(".trace.bars .point path").count()))
                   if b and b["y"] <= y <= b["y"] + b["height"])
        page.mouse.move(bar["x"] + bar["width"] / 2, y)
        page.mouse.click(bar["x"] + bar["width"] / 2, y)
        after_click(page)
        assert exceptions(page) == []
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith("村庄 · ")
        assert looked_at_village(page) == SLAB


def test_a_bookmarked_page_opens_right_after_the_server_starts(sample_db, browser, tmp_path):
    proc, url = start_server(sample_db, tmp_path / "streamlit.log")
    try:
        with visit(browser, url + "/villages", None) as page:
            settle(page)
            assert exceptions(page) == []
            assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith("村庄 · ")
    finally:
        stop(proc)

"""Two replicas behind nginx with deploy/nginx.conf: every request of a browser reaches the replica
that holds its session (the websocket, the upload's PUT, the page's assets)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks.app_server import running_cluster

from .conftest import assert_no_errors, upload_through_data_page, wait_for_app_run

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
    reason="nginx is not installed (Debian: apt-get install -y nginx)")


@pytest.fixture(scope="module")
def cluster():
    with running_cluster(2) as cluster:
        yield cluster


#: A line of the proxy's log (benchmarks.app_server.NGINX_LOG_FORMAT).
LOG_LINE = re.compile(r'(?P<upstream>\S+) "(?P<request>[^"]*)" (?P<status>\d+) (?P<affinity>\S+)')


def requests_by_browser(access_log: Path) -> dict[str, list[tuple[str, str]]]:
    """The proxy's log (``upstream "request" status affinity-id``): each browser's requests as
    (replica, "METHOD path")."""
    browsers: dict[str, list[tuple[str, str]]] = {}
    for line in access_log.read_text().splitlines():
        match = LOG_LINE.fullmatch(line)
        assert match, line
        request = match["request"].rsplit(" ", 1)[0]
        browsers.setdefault(match["affinity"], []).append((match["upstream"], request))
    return browsers


def test_an_upload_and_its_session_reach_one_replica(page: Page, cluster, tmp_path):
    csv = tmp_path / "readings.csv"
    csv.write_text("x,y\n" + "\n".join(f"{i / 10},{(i * 7) % 11}" for i in range(80)) + "\n",
                   encoding="utf-8")
    upload_through_data_page(page, cluster.base_url, csv)
    expect(page.get_by_text("read 80 rows, used 80")).to_be_visible()
    # The session (on one replica) holds the uploaded data on the next page.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Explore").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Data: readings.csv", exact=False).first).to_be_visible()
    assert_no_errors(page)

    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "lab_replica")
    page.close()  # nginx logs the websocket's request when it closes
    deadline = time.monotonic() + 10
    while True:
        mine = requests_by_browser(cluster.access_log).get(cookie, [])
        if any(r.startswith("GET /_stcore/stream") for _, r in mine) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    requests = [request for _, request in mine]
    # The page's first answer set the cookie: the websocket and the upload carried it.
    assert any(r.startswith("GET /_stcore/stream") for r in requests), requests
    assert any(r.startswith("PUT /_stcore/upload_file/") for r in requests), requests
    assert len({upstream for upstream, _ in mine}) == 1, mine


def test_browsers_spread_over_the_replicas(browser, cluster):
    """Each browser gets its own affinity id, so a class spreads over the replicas (16
    browsers on one replica of two would happen once in 2^15 runs)."""
    cookies = []
    for _ in range(16):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{cluster.base_url}/_stcore/health")
        cookies.append(next(c["value"] for c in context.cookies() if c["name"] == "lab_replica"))
        context.close()
    browsers = requests_by_browser(cluster.access_log)
    replicas = {browsers[cookie][0][0] for cookie in cookies}
    assert replicas == {f"127.0.0.1:{port}" for port in cluster.server_ports}

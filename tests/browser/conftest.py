"""A real app server and Debian's chromium for the browser tests (Playwright)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from benchmarks.app_server import CHROMIUM_ARGS, chromium_executable, running_app, wait_for_app_run


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def app_url():
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def live_demo_url():
    """The live explorer chart's demo app (tests/browser/apps/live_demo.py)."""
    with running_app("tests/browser/apps/live_demo.py") as url:
        yield url


@pytest.fixture()
def fresh_app_url():
    """A server started for this test alone (cold deep links)."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = chromium_executable()
    if not chromium:
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    return {**browser_type_launch_args, "executable_path": chromium,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def assert_no_errors(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def upload_through_data_page(page: Page, base_url: str, path) -> None:
    """Open the Data page, upload ``path`` through the dropzone and press "Use this data"."""
    page.goto(f"{base_url}/Data")
    wait_for_app_run(page)
    page.get_by_text("Upload a file").click()
    wait_for_app_run(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app_run(page)
    page.get_by_role("button", name="Use this data").click()
    wait_for_app_run(page)

"""The API documentation works in a browser with nothing but the live server."""

import contextlib

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import assert_clean, open_page

RENDER_SECONDS = 10
OPERATION = (By.CSS_SELECTOR, ".swagger-ui .opblock")


def _open_docs(browser: Chrome, live_server: str) -> None:
    assert open_page(browser, live_server, "/docs") == 200
    with contextlib.suppress(TimeoutException):
        WebDriverWait(browser, RENDER_SECONDS).until(
            expected_conditions.presence_of_element_located(OPERATION)
        )
        return
    shown = browser.find_element(By.TAG_NAME, "body").text[:500]
    pytest.fail(f"Swagger UI rendered no operation; it shows: {shown!r}")


def test_docs_render_every_operation_offline(browser: Chrome, live_server: str) -> None:
    _open_docs(browser, live_server)

    assert len(browser.find_elements(*OPERATION)) > 20
    assert_clean(browser, live_server)


def test_docs_offer_authorize_with_the_bearer_scheme(browser: Chrome, live_server: str) -> None:
    _open_docs(browser, live_server)

    authorize = WebDriverWait(browser, RENDER_SECONDS).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "button.authorize"))
    )
    authorize.click()
    dialog = WebDriverWait(browser, RENDER_SECONDS).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, ".dialog-ux"))
    )
    assert "bearerAuth" in dialog.text
    assert dialog.find_elements(By.CSS_SELECTOR, "input")
    assert_clean(browser, live_server)

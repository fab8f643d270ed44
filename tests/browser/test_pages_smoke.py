"""Every page, in each language, loads cleanly, is laid out in landmarks and labels its fields."""

from pathlib import Path

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By

from tests.browser.conftest import assert_clean, open_page

PATHS = ["/", "/recommendations", "/recommendations/1", "/states/TUN", "/submit", "/review"]
LANGUAGES = {"en": "ltr", "fr": "ltr", "es": "ltr", "ar": "rtl"}
LANDMARKS = ("header", "nav", "main", "footer")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A blank 1280x900 capture compresses to a few kilobytes; a drawn page is far larger.
DRAWN_PAGE_BYTES = 20_000

# A field's name comes from a label (for= or wrapping), aria-label or aria-labelledby; a
# button-like input is named by its value.
UNLABELLED_FIELDS = """
const named = (text) => Boolean(text && text.trim());
const unlabelled = [];
for (const field of document.querySelectorAll("input, select, textarea")) {
  if (field.type === "hidden") continue;
  if (["submit", "reset", "button"].includes(field.type) && named(field.value)) continue;
  const byLabel = Array.from(field.labels || []).some((label) => named(label.textContent));
  const byAria = named(field.getAttribute("aria-label"));
  const byReference = (field.getAttribute("aria-labelledby") || "")
    .split(/\\s+/)
    .some((id) => id && named(document.getElementById(id)?.textContent));
  if (!byLabel && !byAria && !byReference) unlabelled.push(field.outerHTML.slice(0, 160));
}
return unlabelled;
"""

pages = pytest.mark.parametrize(
    ("path", "lang"), [(path, lang) for path in PATHS for lang in LANGUAGES]
)


@pages
def test_page_loads_cleanly_in_its_language(
    browser: Chrome, live_server: str, path: str, lang: str
) -> None:
    assert open_page(browser, live_server, f"{path}?lang={lang}") == 200

    assert browser.execute_script("return document.documentElement.lang") == lang
    assert browser.execute_script("return document.documentElement.dir") == LANGUAGES[lang]
    assert_clean(browser, live_server)


@pages
def test_page_has_landmarks_and_labels_every_field(
    browser: Chrome, live_server: str, path: str, lang: str
) -> None:
    open_page(browser, live_server, f"{path}?lang={lang}")

    missing = [tag for tag in LANDMARKS if not browser.find_elements(By.TAG_NAME, tag)]
    assert not missing, f"{path}?lang={lang} has no {missing}"
    assert browser.execute_script(UNLABELLED_FIELDS) == []


@pytest.mark.parametrize(
    ("path", "name"), [("/?lang=en", "overview.png"), ("/states/TUN?lang=en", "state.png")]
)
def test_page_screenshot_is_drawn(
    browser: Chrome, live_server: str, tmp_path: Path, path: str, name: str
) -> None:
    assert open_page(browser, live_server, path) == 200
    screenshot = tmp_path / name

    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)
    assert screenshot.stat().st_size > DRAWN_PAGE_BYTES

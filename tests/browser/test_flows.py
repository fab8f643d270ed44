"""Contributing in a real browser: submit, review, publish or reject, by mouse and by keyboard."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import httpx
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver import ActionChains, Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import assert_clean, open_page
from tests.commands import run_suivi

T = TypeVar("T")

WAIT_SECONDS = 15
KEY_NAME = "suivi.apiKey"
SOCIETY = "Ligue des défenseurs (browser)"
OFFICE = "OHCHR review desk (browser)"
AS_OF = date(2024, 11, 15)
EVIDENCE = "https://example.org/report-2024"
# Markup a submitter typed: it must come back as these characters, never as a <b> element.
MARKUP = "<b>bold?</b>"
# A tab stop more than this many presses away is as good as unreachable.
MAX_PRESSES = 60
# Chrome types a date segment by segment, in the order of the browser's own locale.
DATE_ORDER = """
return new Intl.DateTimeFormat(navigator.language,
    {year: "numeric", month: "2-digit", day: "2-digit"})
  .formatToParts(new Date(2000, 10, 22))
  .filter((part) => part.type !== "literal")
  .map((part) => part.type);
"""
# Trusted pointer events only come from a mouse (or touch); a key press that activates a button
# dispatches a click, but never a pointerdown.
COUNT_POINTER = """
window.pointerPresses = 0;
window.addEventListener("pointerdown", (event) => {
  if (event.isTrusted) window.pointerPresses += 1;
}, true);
"""
FOCUSED_BOX = """
const box = document.activeElement.getBoundingClientRect();
return [box.width, box.height, box.bottom > 0 && box.top < window.innerHeight];
"""


@dataclass(frozen=True)
class ApiKeys:
    """The keys the flows use: a civil-society submitter's and an office reviewer's."""

    submitter: str
    staff: str


def _command(*args: str, database_url: str) -> str:
    done = run_suivi(*args, database_url=database_url)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _key(organisation: str, role: str, database_url: str) -> str:
    printed = _command(
        "keys", "create", "--org", organisation, "--role", role, "--json", database_url=database_url
    )
    key = json.loads(printed)["key"]
    assert isinstance(key, str)
    return key


@pytest.fixture(scope="module")
def keys(live_database_url: str) -> ApiKeys:
    """Keys made by `suivi orgs create` and `suivi keys create`, as an operator makes them."""
    _command("orgs", "create", SOCIETY, "--kind", "civil_society", database_url=live_database_url)
    _command("orgs", "create", OFFICE, "--kind", "office", database_url=live_database_url)
    return ApiKeys(
        submitter=_key(SOCIETY, "submitter", live_database_url),
        staff=_key(OFFICE, "staff", live_database_url),
    )


@pytest.fixture
def tab(browser: Chrome, live_server: str) -> Iterator[Chrome]:
    """The session's browser; the key a test kept in the tab is dropped after it."""
    yield browser
    # Session storage outlives navigation within a tab: the next test starts without a key.
    if browser.current_url.startswith(live_server):
        browser.execute_script("window.sessionStorage.clear();")


def _until(driver: Chrome, condition: Callable[[Chrome], T | None], what: str) -> T:
    """`condition`'s first truthy answer, waiting for it; fails naming `what` otherwise."""
    # The page rebuilds its lists as answers arrive: an element read a moment ago may be gone.
    waiting = WebDriverWait(
        driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)
    )
    result = waiting.until(condition, f"waited for {what}")
    # `until` returns only a truthy answer; mypy cannot know it.
    assert result is not None
    return result


def _one(scope: Chrome | WebElement, selector: str) -> WebElement:
    return scope.find_element(By.CSS_SELECTOR, selector)


def _all(scope: Chrome | WebElement, selector: str) -> list[WebElement]:
    return scope.find_elements(By.CSS_SELECTOR, selector)


def _first(driver: Chrome, selector: str) -> WebElement:
    """The first element matching `selector`, once there is one."""
    return _until(driver, lambda d: next(iter(_all(d, selector)), None), f"an element {selector!r}")


def _gone(driver: Chrome, selector: str) -> None:
    _until(driver, lambda d: not _all(d, selector), f"no element {selector!r}")


def _stored(driver: Chrome) -> dict[str, Any]:
    """What the page keeps: its session and local storage, and its cookies."""
    kept: dict[str, Any] = driver.execute_script(
        "return {session: window.sessionStorage.getItem(arguments[0]),"
        " local: JSON.stringify(window.localStorage), cookie: document.cookie};",
        KEY_NAME,
    )
    return kept


def _ok_message(driver: Chrome, text: str) -> None:
    _until(
        driver,
        lambda d: any(text in p.text for p in _all(d, "#messages p.ok")),
        f"the message {text!r}",
    )


def _save_key(driver: Chrome, key: str) -> None:
    """Type `key` into the key form and save it with the mouse."""
    _one(driver, "#api-key").send_keys(key)
    _one(driver, "#save-key").click()
    # Its message may be replaced at once by the next one (a page loading its list with it).
    _until(driver, lambda d: _stored(d)["session"] == key, "the key to be kept")
    # The field is emptied once the key is kept.
    assert _one(driver, "#api-key").get_property("value") == ""


def _forget_key(driver: Chrome) -> None:
    _one(driver, "#forget-key").click()
    _until(driver, lambda d: _stored(d)["session"] is None, "the key to be forgotten")


def _date_keys(driver: Chrome, day: date) -> str:
    """The digits a person types into a date field for `day`, in the browser's order."""
    parts = {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}
    order: list[str] = driver.execute_script(DATE_ORDER)
    return "".join(parts[part] for part in order)


def _narrative_shown_as_text(scope: WebElement, narrative: str) -> None:
    shown = _one(scope, ".narrative p.text")
    assert shown.text == narrative
    assert not _all(shown, "b"), "the narrative was interpreted as HTML"


def _mine(driver: Chrome, narrative: str) -> WebElement:
    """The submitter's own update whose narrative is `narrative`, once it is listed."""

    def found(d: Chrome) -> WebElement | None:
        for item in _all(d, "#my-updates li[data-update-id]"):
            if _one(item, ".narrative p.text").text == narrative:
                return item
        return None

    return _until(driver, found, f"my update {narrative!r}")


def _update_id(item: WebElement) -> str:
    update_id = item.get_attribute("data-update-id")
    assert update_id
    return update_id


def _defenders_recommendation(live_server: str) -> int:
    page = httpx.get(
        f"{live_server}/v1/recommendations", params={"q": "defenders", "limit": 1}
    ).json()
    assert page["items"], "the demo holds no recommendation about defenders"
    recommendation_id = page["items"][0]["id"]
    assert isinstance(recommendation_id, int)
    return recommendation_id


def _submit_by_api(live_server: str, key: str, recommendation_id: int, narrative: str) -> str:
    response = httpx.post(
        f"{live_server}/v1/recommendations/{recommendation_id}/updates",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "source_type": "civil_society",
            "assessed_status": "not_started",
            "narrative": narrative,
            "evidence_urls": [],
            "as_of_date": AS_OF.isoformat(),
            "confidentiality": "public",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_submitted_update_is_reviewed_and_published_without_its_submitter(
    tab: Chrome, live_server: str, keys: ApiKeys
) -> None:
    narrative = f"Defenders were released after the review. {MARKUP} Published."
    requested: list[str] = []

    open_page(tab, live_server, "/submit?lang=en")
    _save_key(tab, keys.submitter)
    _one(tab, "#recommendation-search").send_keys("defenders")
    _one(tab, "#search-recommendations").click()
    choose = _first(tab, "#recommendation-results button.choose[data-recommendation-id]")
    recommendation_id = choose.get_attribute("data-recommendation-id")
    assert recommendation_id
    choose.click()
    _until(
        tab,
        lambda d: _one(d, "#recommendation-id").get_property("value") == recommendation_id,
        "the chosen recommendation in the form",
    )
    Select(_one(tab, "#source-type")).select_by_value("civil_society")
    Select(_one(tab, "#assessed-status")).select_by_value("in_progress")
    _one(tab, "#narrative").send_keys(narrative)
    _one(tab, "#evidence-urls").send_keys(EVIDENCE)
    _one(tab, "#as-of-date").send_keys(_date_keys(tab, AS_OF))
    assert _one(tab, "#as-of-date").get_property("value") == AS_OF.isoformat()
    _one(tab, "#confidentiality-confidential_submitter").click()
    _one(tab, "#submit-update").click()

    mine = _mine(tab, narrative)
    update_id = _update_id(mine)
    _ok_message(tab, f"Update {update_id} submitted.")
    assert "Awaiting review" in mine.text
    assert "Content public, submitter confidential" in mine.text
    assert EVIDENCE in mine.text
    _narrative_shown_as_text(mine, narrative)
    kept = _stored(tab)
    assert kept["session"] == keys.submitter
    assert keys.submitter not in kept["local"]
    assert keys.submitter not in kept["cookie"]
    _forget_key(tab)
    requested += assert_clean(tab, live_server)

    open_page(tab, live_server, "/review?lang=en")
    _save_key(tab, keys.staff)
    waiting = _first(tab, f'#queue article[data-update-id="{update_id}"]')
    _narrative_shown_as_text(waiting, narrative)
    _one(waiting, "button.publish").click()
    _gone(tab, f'#queue article[data-update-id="{update_id}"]')
    _ok_message(tab, f"Update {update_id} published.")
    kept = _stored(tab)
    assert keys.staff not in kept["local"]
    assert keys.staff not in kept["cookie"]
    requested += assert_clean(tab, live_server)

    open_page(tab, live_server, f"/recommendations/{recommendation_id}?lang=en")
    published = [
        article
        for article in _all(tab, "article.update")
        if _one(article, "p.text").text == narrative
    ]
    assert len(published) == 1, "the published narrative is not on the recommendation's page"
    assert not _all(published[0], "p.text b")
    assert "Name withheld at the submitter's request" in published[0].text
    assert EVIDENCE in published[0].text
    assert SOCIETY not in _one(tab, "main").text
    requested += assert_clean(tab, live_server)

    leaked = [url for url in requested if keys.submitter in url or keys.staff in url]
    assert not leaked, f"a key was sent in a URL: {leaked}"


def test_rejected_update_shows_its_reason_to_the_submitter(
    tab: Chrome, live_server: str, keys: ApiKeys
) -> None:
    narrative = "A draft law on associations is said to be withdrawn; no text yet."
    reason = "Please cite the official gazette or a press statement."
    update_id = _submit_by_api(
        live_server, keys.submitter, _defenders_recommendation(live_server), narrative
    )

    open_page(tab, live_server, "/review?lang=en")
    _save_key(tab, keys.staff)
    waiting = _first(tab, f'#queue article[data-update-id="{update_id}"]')
    _one(waiting, "textarea.reason").send_keys(reason)
    _one(waiting, "button.reject").click()
    _gone(tab, f'#queue article[data-update-id="{update_id}"]')
    _ok_message(tab, f"Update {update_id} rejected;")
    _forget_key(tab)
    assert_clean(tab, live_server)

    open_page(tab, live_server, "/submit?lang=en")
    _save_key(tab, keys.submitter)
    mine = _mine(tab, narrative)
    assert _update_id(mine) == update_id
    assert "Rejected" in mine.text
    assert _one(mine, ".rejection p.text").text == reason
    assert not _all(mine, "button.retract")
    assert_clean(tab, live_server)


def _press(driver: Chrome, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def _focused(driver: Chrome, selector: str) -> WebElement:
    """The focused element, which must match `selector` and be visible on screen."""
    element = driver.switch_to.active_element
    matches = driver.execute_script("return arguments[0].matches(arguments[1]);", element, selector)
    shown = (element.get_attribute("outerHTML") or "")[:120]
    assert matches, f"focus is on {shown!r}, not {selector!r}"
    width, height, on_screen = driver.execute_script(FOCUSED_BOX)
    assert width > 0, f"{selector} has focus but no width"
    assert height > 0, f"{selector} has focus but no height"
    assert on_screen, f"{selector} has focus but is scrolled out of view"
    return element


def _tab_to(driver: Chrome, selector: str, *, backwards: bool = False) -> WebElement:
    """Press TAB (SHIFT+TAB `backwards`) until the focus reaches `selector`."""
    for _ in range(MAX_PRESSES):
        if backwards:
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
                Keys.SHIFT
            ).perform()
        else:
            _press(driver, Keys.TAB)
        if driver.execute_script("return document.activeElement.matches(arguments[0]);", selector):
            return _focused(driver, selector)
    pytest.fail(f"{selector} was not reached in {MAX_PRESSES} presses of TAB")


def _arrow_to(driver: Chrome, selector: str, value: str) -> None:
    """Press the down arrow on the focused list until it holds `value`."""
    for _ in range(MAX_PRESSES):
        if _focused(driver, selector).get_property("value") == value:
            return
        _press(driver, Keys.ARROW_DOWN)
    pytest.fail(f"{selector} never took the value {value!r} from the arrow keys")


def test_update_is_submitted_with_the_keyboard_alone(
    tab: Chrome, live_server: str, keys: ApiKeys
) -> None:
    narrative = f"Typed without a mouse. {MARKUP}"
    open_page(tab, live_server, "/submit?lang=en")
    tab.execute_script(COUNT_POINTER)

    _tab_to(tab, "#api-key")
    _press(tab, keys.submitter)
    _tab_to(tab, "#save-key")
    _press(tab, Keys.ENTER)
    _ok_message(tab, "The key is kept in this tab.")
    assert _stored(tab)["session"] == keys.submitter

    _tab_to(tab, "#recommendation-search")
    _press(tab, "defenders", Keys.ENTER)
    _first(tab, "#recommendation-results button.choose")
    choose = _tab_to(tab, "#recommendation-results button.choose")
    recommendation_id = choose.get_attribute("data-recommendation-id")
    _press(tab, Keys.SPACE)
    # Choosing hands the focus to the form, where the person goes on.
    _until(
        tab,
        lambda d: d.switch_to.active_element.get_attribute("id") == "recommendation-id",
        "the focus on the chosen recommendation",
    )
    assert _focused(tab, "#recommendation-id").get_property("value") == recommendation_id

    _tab_to(tab, "#source-type")
    _arrow_to(tab, "#source-type", "civil_society")
    _tab_to(tab, "#assessed-status")
    _arrow_to(tab, "#assessed-status", "partially_implemented")
    _tab_to(tab, "#narrative")
    _press(tab, narrative)
    _tab_to(tab, "#evidence-urls")
    _press(tab, EVIDENCE)
    _tab_to(tab, "#as-of-date")
    _press(tab, _date_keys(tab, AS_OF))
    assert _focused(tab, "#as-of-date").get_property("value") == AS_OF.isoformat()
    # The radio group is one tab stop; the arrows move the choice within it.
    _tab_to(tab, "input[name=confidentiality]")
    _press(tab, Keys.ARROW_DOWN)
    _focused(tab, "#confidentiality-confidential_submitter")
    _tab_to(tab, "#submit-update")
    # Back into the group, the focus lands on the choice made.
    _tab_to(tab, "input[name=confidentiality]", backwards=True)
    assert _focused(tab, "#confidentiality-confidential_submitter").is_selected()
    _tab_to(tab, "#submit-update")
    _press(tab, Keys.ENTER)

    mine = _mine(tab, narrative)
    _ok_message(tab, f"Update {_update_id(mine)} submitted.")
    assert "Awaiting review" in mine.text
    assert "Partially implemented" in mine.text
    _narrative_shown_as_text(mine, narrative)
    assert tab.execute_script("return window.pointerPresses;") == 0
    assert_clean(tab, live_server)


@pytest.mark.parametrize("path", ["/", "/states/TUN"])
@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_charts_are_drawn_with_their_numbers(
    browser: Chrome, live_server: str, path: str, lang: str, direction: str
) -> None:
    assert open_page(browser, live_server, f"{path}?lang={lang}") == 200

    assert browser.execute_script("return document.documentElement.dir") == direction
    charts = _all(browser, "figure.chart")
    drawn = [chart for chart in charts if _all(chart, "svg .mark")]
    assert drawn, f"{path}?lang={lang}: no chart has a mark"
    assert all(_all(chart, "table") for chart in charts), "a chart has no data table"
    assert_clean(browser, live_server)


def test_every_page_works_with_the_network_cable_pulled(browser: Chrome, live_server: str) -> None:
    open_page(browser, live_server, "/recommendations?lang=en")
    detail = _one(browser, 'main a[href^="/recommendations/"]').get_attribute("href")
    assert detail
    assert_clean(browser, live_server)

    for path in ["/", detail.removeprefix(live_server), "/states/TUN", "/submit", "/review"]:
        assert open_page(browser, live_server, path) == 200, path
        assert_clean(browser, live_server)
    assert open_page(browser, live_server, "/docs") == 200
    _first(browser, ".swagger-ui .opblock")
    assert_clean(browser, live_server)

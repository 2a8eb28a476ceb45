"""Driving Label Studio's labeling UI in Debian's Chromium as an annotator, counting every action.

`Annotator` is the annotator's hands and eyes: each click, key press and mouse drag goes through it
and is counted (that is the effort figure of BENCHMARKS.md); reading the screen is free. Setting up
(logging in, opening the project, closing the instructions shown at the start) is not counted: it
happens once per session, not per sentence.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest

from annotate.schema import load_schema

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
EFFORT = ARTIFACTS / "annotator-effort.json"  # the figures of BENCHMARKS.md "Annotator effort (browser)"

# Debian's Chromium in a container: no sandbox, no network chatter, no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-gpu", "--disable-sync"]

SENTENCE = ".annotate-sentence .lsf-htx-richtext"
# Finds the viewport rectangle of characters start..end of the sentence, for a mouse drag.
_RANGE_JS = """([selector, start, end]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let pos = 0, started = false, node;
  while ((node = walker.nextNode())) {
    const n = node.textContent.length;
    if (!started && start < pos + n) { range.setStart(node, start - pos); started = true; }
    if (started && end <= pos + n) { range.setEnd(node, end - pos); break; }
    pos += n;
  }
  const rects = range.getClientRects(), a = rects[0], b = rects[rects.length - 1];
  return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
}"""


def chromium_executable() -> str:
    """Debian's Chromium (Playwright's own browser download does not work here); fail if absent."""
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"no Chromium at {path}: install Debian's chromium (`sudo apt-get install chromium`, "
                    f"as .ci/run does) or set CHROMIUM_PATH to a Chromium executable")
    return path


@contextlib.contextmanager
def chromium_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


class Annotator:
    def __init__(self, page, base_url: str, test_name: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.test_name = test_name
        self.actions: list[str] = []
        self._shots = 0
        schema = load_schema()
        self._stances, self._sentiments = schema.stances, schema.sentiments

    # --- setting up (not counted) ---------------------------------------------------------------

    def log_in(self, email: str, password: str) -> None:
        self.page.goto(f"{self.base_url}/user/login/")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("button.login-button")
        self.page.wait_for_url(re.compile(r"^(?!.*/user/login).*$"))

    def start_labeling(self, project_title: str) -> None:
        """From the project list to the first task of the label stream, as an annotator does."""
        self.page.goto(f"{self.base_url}/projects/")
        self.page.get_by_text(project_title, exact=True).first.click()
        self.page.get_by_text("Label All Tasks").click()
        self.page.wait_for_selector(SENTENCE)
        # The project's instructions (the guidelines; push sets show_instruction) open once at the
        # start of the stream, over the first task.
        self.page.locator(".lsf-modal-ls_visible").wait_for()
        self.page.wait_for_timeout(500)  # let the opening animation end, for the screenshot
        self.screenshot("instructions")
        self.close_dialog()

    def close_dialog(self) -> None:
        self.page.keyboard.press("Escape")
        self.page.locator(".lsf-modal-ls_visible").wait_for(state="hidden")

    # --- reading the screen (free) --------------------------------------------------------------

    def sentence(self) -> str:
        return self.page.inner_text(SENTENCE).strip()

    def model_summary(self) -> str:
        """The grey line above the sentence with every predicted actor's stance."""
        return self.page.inner_text(".annotate-model").strip()

    def spans(self) -> list[str]:
        """The highlighted actor spans of the sentence, in order."""
        return [s.strip() for s in self.page.locator(f"{SENTENCE} .htx-highlight").all_inner_texts()]

    def _checked(self, values) -> list[str]:
        return [v for v in values if self.page.locator(f'input.ant-radio-input[name="{v}"]:checked').count()]

    def span_stances(self) -> list[tuple[str, str]]:
        """Every actor span with its stance label, in order (the span's label is its stance)."""
        spans = self.page.locator(f"{SENTENCE} .htx-highlight")
        return [(spans.nth(i).inner_text().strip(),
                 (spans.nth(i).get_attribute("data-label") or "").split(":", 1)[-1])
                for i in range(spans.count())]

    def stance(self) -> str | None:
        """The stance of the selected span (None when no span is selected)."""
        active = self.page.locator(f"{SENTENCE} .htx-highlight.__active")
        if not active.count():
            return None
        return (active.first.get_attribute("data-label") or "").split(":", 1)[-1] or None

    def codebook_actor(self) -> str | None:
        """The codebook actor chosen for the selected span (None when none is chosen)."""
        trigger = self.page.locator('.annotate-actor button[data-slot="popover-trigger"]')
        if not trigger.count() or not trigger.first.is_visible():
            return None
        return trigger.first.get_attribute("data-value") or None

    def sentiment(self) -> str | None:
        checked = self._checked(self._sentiments)
        return checked[0] if checked else None

    def screenshot(self, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self._shots += 1
        path = SCREENSHOTS / f"{self.test_name}-{self._shots:02d}-{step}.png"
        self.page.screenshot(path=str(path))
        return path

    # --- acting (each call is one counted action) -----------------------------------------------

    def open_instructions(self) -> str:
        """Click "Instructions" (top right): the text of the project's instructions."""
        self.actions.append("click Instructions")
        self.page.get_by_role("button", name="Instructions").click()
        dialog = self.page.locator(".lsf-modal-ls_visible .lsf-modal-ls__content")
        dialog.wait_for()
        self.page.wait_for_timeout(500)  # let the opening animation end, for the screenshot
        return dialog.inner_text()

    def open_label_definitions(self) -> str:
        """Open the collapsed panel under the sentence: the label definitions and keys."""
        self.actions.append("click label definitions")
        self.page.get_by_text("Label definitions and keys").click()
        panel = self.page.locator(".annotate-definitions")
        panel.wait_for()
        return panel.inner_text()

    def click_span(self, text: str) -> None:
        self.actions.append(f"click span {text!r}")
        self.page.locator(f"{SENTENCE} .htx-highlight", has_text=text).first.click()
        self.page.locator(f"{SENTENCE} .htx-highlight.__active").first.wait_for()

    def choose_codebook_actor(self, name: str) -> None:
        """Open the selected span's codebook-actor drop-down and click `name` (two actions)."""
        self.actions.append("click codebook actor")
        self.page.locator('.annotate-actor button[data-slot="popover-trigger"]').click()
        self.actions.append(f"click {name!r}")
        self.page.locator(f'[data-testid="select-option-{name}"]').click()
        self.page.locator(f'.annotate-actor button[data-value="{name}"]').wait_for()
        # the list closes on its own; until it has, it takes the keyboard (Ctrl+Enter included)
        self.page.locator('[data-testid^="select-option-"]').first.wait_for(state="hidden")

    def press(self, key: str) -> None:
        self.actions.append(f"press {key}")
        self.page.keyboard.press(key)

    def drag_over(self, start: int, end: int) -> None:
        """Select characters start..end of the sentence with the mouse (one drag)."""
        self.actions.append(f"drag over {start}-{end}")
        x1, y1, x2, y2 = self.page.evaluate(_RANGE_JS, [SENTENCE, start, end])
        self.page.mouse.move(x1, y1)
        self.page.mouse.down()
        self.page.mouse.move(x2, y2, steps=8)
        self.page.mouse.up()

    def submit(self) -> None:
        """Ctrl+Enter, then wait until Label Studio has answered the save and moved on to the
        next task. (After the last task the editor goes at once, before the save has been
        answered: a pull right then could miss the annotation, as one loaded run showed.)"""
        before = self.sentence()
        with self.page.expect_response(_is_annotation_save) as saved:
            self.press("Control+Enter")
        assert saved.value.ok, f"Label Studio refused the annotation: {saved.value.status}"
        self.page.wait_for_function(
            """([selector, before]) => {
                 const el = document.querySelector(selector);
                 return !el || el.innerText.trim() !== before;
               }""", arg=[SENTENCE, before])


# The submit of a new annotation (POST /api/tasks/N/annotations) or of a changed one (PATCH
# /api/annotations/N); drafts (/api/annotations/N/drafts, /api/drafts/N) are not saves.
_ANNOTATION_SAVES = (("POST", re.compile(r"/api/tasks/\d+/annotations/?(\?|$)")),
                     ("PATCH", re.compile(r"/api/annotations/\d+/?(\?|$)")))


def _is_annotation_save(response) -> bool:
    return any(response.request.method == method and pattern.search(response.url)
               for method, pattern in _ANNOTATION_SAVES)


def press_start_training(page, base_url: str, project_id: int) -> None:
    """As a project lead: Settings > Model > the backend's menu > Start Training, confirmed."""
    page.goto(f"{base_url.rstrip('/')}/projects/{project_id}/settings/ml")
    page.get_by_label("Machine learning model options").click()
    page.get_by_text("Start Training", exact=True).click()
    page.get_by_role("button", name="Start Training").click()
    page.get_by_text("Request Sent!").wait_for()


def record_effort(task: str, actions: list[str]) -> None:
    """Add one measured figure (and the actions behind it) to test-artifacts/annotator-effort.json."""
    figures = json.loads(EFFORT.read_text()) if EFFORT.exists() else {}
    figures[task] = {"actions": len(actions), "steps": actions}
    EFFORT.parent.mkdir(parents=True, exist_ok=True)
    EFFORT.write_text(json.dumps(figures, indent=2) + "\n")

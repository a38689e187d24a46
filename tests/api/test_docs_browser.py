"""The API page in a real browser: Swagger UI, served by the app under its Content-Security-Policy, lists the
operations of the document and shows the bearer-token authorisation."""

import pytest

pytestmark = pytest.mark.browser


def test_docs_page_lists_the_operations_under_the_csp(page, screenshot):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto("/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/tickets/{ref}/actions/reply").first.wait_for()
    assert page.locator(".opblock").count() >= 30
    assert page.get_by_role("button", name="Authorize").is_visible()
    screenshot(page, "api-docs")
    assert not [text for text in refused if "script" in text], refused

"""assert_accessible(page): the page in the browser did not come from a server error, and axe-core
(bundled by axe-playwright-python) finds no serious or critical violation in it.

    page.goto(url)
    assert_accessible(page)

Call it once for every distinct page a browser test reaches, after the page has settled (the
check sees the page as it is, scripts' changes included). Minor and moderate findings are left
to review: they are often matters of taste (landmarks, heading order) and would make the suite
brittle without making a page harder to use.
"""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def assert_accessible(page):
    # The navigation's own status, whether the page came from a link, a form's POST or a redirect.
    status = page.evaluate("performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0")
    assert status < 500, f"{page.url} answered {status}"
    violations = [v for v in _axe.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not violations, f"{page.url}: axe-core found\n" + "\n".join(_describe(v) for v in violations)


def _describe(violation):
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    more = len(violation["nodes"]) - 5
    return (
        f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})\n"
        f"    at {targets}" + (f" and {more} more" if more > 0 else "")
    )

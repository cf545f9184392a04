"""Reviews and notes in `make demo`'s mode, as its two printed logins meet them: the demo
user reviews a candidate and mentions their colleague in a note; the colleague sees the
mention, and the demo user's review only once they have given their own recommendation."""

from __future__ import annotations

import json

from dashboard.management.commands.demo_setup import COLLEAGUE_USERNAME, DEMO_PASSWORD
from tests.dashboard.test_demo_decisions import CANDIDATE, _post, _signed_in


def test_a_review_and_a_mention_between_the_two_demo_logins(demo_site):
    candidate = json.loads(demo_site.shell(CANDIDATE).strip().splitlines()[-1])
    page = f"/teams/{candidate['team']}/candidates/{candidate['key']}/"
    demo = _signed_in(demo_site)

    reviewed = _post(demo, page + "review/", recommendation="strong_no", note="Not for us.")
    noted = _post(demo, page + "notes/", text=f"@{COLLEAGUE_USERNAME} could you look too?")

    assert (reviewed.status_code, noted.status_code) == (302, 302)
    sam = _signed_in(demo_site, COLLEAGUE_USERNAME, DEMO_PASSWORD)
    mentions = sam.get("/mentions/").text
    assert "could you look too?" in mentions
    before = sam.get(page).text
    assert "Hidden until you give your recommendation" in before
    assert "Not for us." not in before
    _post(sam, page + "review/", recommendation="yes")
    after = sam.get(page).text
    assert "Not for us." in after
    assert "Strong no <strong>1</strong>" in after

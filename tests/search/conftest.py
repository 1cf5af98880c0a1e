import io
import json

import pytest
from django.core.management import call_command

from careerrelay.candidates.models import Candidate
from tests.search.relevance import PROFILES


@pytest.fixture
def relevance_pool(db, tmp_path):
    """The relevance profiles, loaded as agency-visible candidates. Returns {label: candidate}."""
    path = tmp_path / "relevance.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PROFILES), encoding="utf-8")
    call_command("load_candidates", str(path), "--force", stdout=io.StringIO())
    by_email = {c.email: c for c in Candidate.objects.all()}
    return {p["label"]: by_email[p["email"]] for p in PROFILES}

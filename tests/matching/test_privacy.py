import json

import pytest

from careerrelay.audit.services import Actor, ActorKind
from careerrelay.matching import services as matching
from careerrelay.privacy.export import export_candidate, readable_export

pytestmark = pytest.mark.django_db


def test_the_candidates_export_lists_their_introductions_without_the_agencys_notes(
    introduce, candidate, agency, agency_owner
):
    introduction = introduce(candidate, message="ぜひご検討ください。")
    matching.respond_to_introduction(
        candidate=candidate, introduction=introduction, accept=True, actor=Actor.for_candidate(candidate)
    )
    matching.change_stage(
        introduction=introduction,
        stage="not_hired",
        agency=agency,
        actor=Actor.for_user(agency_owner, ActorKind.AGENCY),
        note="社内だけのメモ",
    )
    data = export_candidate(candidate)
    text = json.dumps(data, ensure_ascii=False, default=str)
    assert [row["company_name"] for row in data["introductions"]] == ["株式会社クライアント"]
    assert "社内だけのメモ" not in text
    assert readable_export(data)["introductions"]

"""PostgreSQL: the bigram codes the CSV import sends with new search documents are the set the
database's `talent_pool_bigrams` gives, and a document written without codes (any other
writer) or whose text changes gets them from the database (migration talent 0012)."""

import pytest
from django.db import connection

from careerrelay.talent import pool_search, services
from careerrelay.talent.models import PoolDocument
from tests.helpers.talent import SYSTEM

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bigram column"),
]

TEXTS = [
    "",
    "a",
    "ab",
    "髙橋\nはなこ\n髙橋花子",
    "  a  b\tcd\r\nef  ",
    "受け答えは丁寧。 半年後に再あぷろーちを検討。",
    "𠮷野家\u3000x\u00a0yz\u2028qq",
    "hanako@example.jp\nexcel\nsql",
]


def _database_codes(text: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT talent_pool_bigrams(%s)", [text])
        return set(cursor.fetchone()[0])


@pytest.mark.parametrize("text", TEXTS)
def test_python_codes_are_the_database_codes(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::integer[]", [pool_search.bigram_array(text)])
        assert set(cursor.fetchone()[0]) == _database_codes(text)


def _stored_codes(applicant_id: int) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT bigrams FROM talent_pooldocument WHERE applicant_id = %s", [applicant_id])
        return set(cursor.fetchone()[0])


def test_a_document_written_by_the_orm_gets_its_codes_and_keeps_them_in_step(employer):
    person = services.create_applicant(
        organisation=employer, data={"family_name": "髙橋", "email": "h@example.jp"}, actor=SYSTEM
    )
    document = PoolDocument.objects.get(applicant=person)
    assert _stored_codes(person.pk) == _database_codes(document.text)
    services.update_applicant(applicant=person, data={"family_name": "山﨑"}, actor=SYSTEM)
    document.refresh_from_db()
    assert "山﨑" in document.text
    assert _stored_codes(person.pk) == _database_codes(document.text)

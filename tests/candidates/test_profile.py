"""The my-page profile: Japanese input, several choices, work history rows, one skill however it is
typed, "最終更新日" that moves only on real edits, and no barred questions."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from careerrelay.candidates.forms import ProfileForm, WorkHistoryForm
from careerrelay.candidates.models import Candidate, CandidateSkill
from careerrelay.common.japanese import parse_skills, skill_key
from tests.factories import CandidateFactory
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=400)


@pytest.fixture
def hanako():
    return CandidateFactory(
        family_name="髙橋",
        given_name="花子",
        email="hanako@example.jp",
        email_normalized="hanako@example.jp",
        status="verified",
        job_category="sales",
        profile_updated_at=LONG_AGO,
    )


def profile_data(**overrides):
    data = {
        "family_name": "髙橋",
        "given_name": "花子",
        "family_name_kana": "たかはし",
        "given_name_kana": "ﾊﾅｺ",
        "phone": "０９０-１２３４-５６７８",
        "prefecture": "27",
        "desired_job_categories": ["sales", "marketing"],
        "desired_prefectures": ["13", "27"],
        "remote_preference": "hybrid",
        "desired_salary_min": "５００",
        "desired_salary_max": "８００万円",
        "years_experience": "５",
        "skills_text": "ＰＹＴＨＯＮ、Python, python ,法人営業,ﾊﾟｲｿﾝ,パイソン",
        "summary": "  法人営業を5年経験しました。  ",
        "history-TOTAL_FORMS": "2",
        "history-INITIAL_FORMS": "0",
        "history-MIN_NUM_FORMS": "0",
        "history-MAX_NUM_FORMS": "20",
        "history-0-company": "株式会社山﨑製作所",
        "history-0-role": "法人営業",
        "history-0-started_on": "２０１９年４月",
        "history-0-ended_on": "2024-03",
        "history-0-description": "中小企業向けの提案営業",
        "history-1-company": "",
    }
    data.update(overrides)
    return data


def test_the_profile_form_never_asks_for_what_the_employment_security_act_bars():
    barred = ["本籍", "出生地", "出身地", "家族", "続柄", "宗教", "信条", "思想", "支持政党", "労働組合", "組合"]
    barred += ["尊敬する人物", "愛読書", "購読新聞", "住宅状況", "生活環境", "生年月日", "性別"]
    barred += ["domicile", "birthplace", "religion", "belief", "union", "party", "spouse", "parent"]
    forms = [ProfileForm(), WorkHistoryForm()]
    described = " ".join(
        f"{name} {field.label} {field.help_text}".lower() for form in forms for name, field in form.fields.items()
    )
    assert [word for word in barred if word.lower() in described] == []
    # A new question is a deliberate decision: adding one means reading the guideline and this list.
    assert list(ProfileForm().fields) == [
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "phone",
        "prefecture",
        "desired_job_categories",
        "desired_prefectures",
        "remote_preference",
        "desired_salary_min",
        "desired_salary_max",
        "years_experience",
        "summary",
        "skills_text",
    ]


def test_saving_japanese_input_normalises_it(client, hanako):
    sign_in_candidate(client, hanako)
    response = client.post("/me/", profile_data(), follow=True)
    assert "プロフィールを保存しました。" in response.text

    hanako.refresh_from_db()
    assert (hanako.family_name_kana, hanako.given_name_kana) == ("タカハシ", "ハナコ")
    assert hanako.phone_normalized == "+819012345678"
    assert (hanako.desired_salary_min, hanako.desired_salary_max) == (500, 800)
    assert hanako.years_experience == 5
    assert hanako.desired_job_categories == ["sales", "marketing"]
    assert hanako.job_category == "sales"
    assert hanako.desired_prefectures == ["13", "27"]
    assert hanako.remote_preference == "hybrid"
    assert hanako.summary == "法人営業を5年経験しました。"
    assert [(w.company, w.started_on, w.ended_on) for w in hanako.work_history.all()] == [
        ("株式会社山﨑製作所", datetime.date(2019, 4, 1), datetime.date(2024, 3, 1))
    ]


def test_full_width_and_upper_case_spellings_are_one_skill_and_kana_variants_another(client, hanako):
    sign_in_candidate(client, hanako)
    client.post("/me/", profile_data())
    skills = list(CandidateSkill.objects.filter(candidate=hanako).values_list("name", "key"))
    assert skills == [("PYTHON", "python"), ("法人営業", "法人営業"), ("パイソン", "ぱいそん")]
    assert skill_key("ＰＹＴＨＯＮ") == skill_key("Python") == "python"
    assert skill_key("ﾊﾟｲｿﾝ") == skill_key("パイソン") == skill_key("ぱいそん")


def test_a_skill_keeps_the_spelling_it_was_first_entered_with(client, hanako):
    sign_in_candidate(client, hanako)
    client.post("/me/", profile_data(skills_text="Python, SQL"))
    client.post("/me/", profile_data(skills_text="ＰＹＴＨＯＮ, sql, Excel"))
    assert list(hanako.skill_set.values_list("name", flat=True)) == ["Python", "SQL", "Excel"]
    hanako.refresh_from_db()
    assert hanako.skills == "Python, SQL, Excel"
    assert 'value="Python, SQL, Excel"' in client.get("/me/").text


def test_parse_skills_splits_on_japanese_and_western_commas():
    assert parse_skills("簿記2級、Excel,ＳＱＬ;  ") == ["簿記2級", "Excel", "SQL"]


def test_a_minimum_above_the_maximum_is_refused_with_everything_typed_kept(client, hanako):
    sign_in_candidate(client, hanako)
    response = client.post("/me/", profile_data(desired_salary_min="９００", desired_salary_max="６００"))
    assert response.status_code == 200
    assert "上限は下限以上の金額にしてください。" in response.text
    assert 'value="９００"' in response.text
    assert "株式会社山﨑製作所" in response.text
    hanako.refresh_from_db()
    assert hanako.desired_salary_min is None
    assert hanako.profile_updated_at == LONG_AGO
    assert hanako.work_history.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("family_name_kana", "Takahashi", "フリガナはひらがなかカタカナで入力してください。"),
        ("phone", "12345", "電話番号の形式が正しくありません"),
        ("desired_salary_min", "たくさん", "整数を入力してください。"),
        ("years_experience", "", "経験年数を入力してください(0年でも構いません)。"),
        ("desired_job_categories", [], "希望職種を1つ以上選んでください。"),
        ("history-0-started_on", "去年", "年月は「2020-04」のように入力してください。"),
        ("history-0-ended_on", "2018-01", "終了年月は開始年月より後にしてください。"),
        ("history-0-company", "", "会社名を入力してください。"),
    ],
)
def test_each_mistake_gets_a_japanese_message_and_nothing_is_saved(client, hanako, field, value, message):
    sign_in_candidate(client, hanako)
    response = client.post("/me/", profile_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.text
    hanako.refresh_from_db()
    assert hanako.prefecture == "13"
    assert hanako.profile_updated_at == LONG_AGO


def test_work_history_rows_can_be_added_and_removed(client, hanako):
    sign_in_candidate(client, hanako)
    client.post(
        "/me/",
        profile_data(**{"history-1-company": "合同会社さくら", "history-1-started_on": "2024-04"}),
    )
    assert sorted(hanako.work_history.values_list("company", flat=True)) == ["合同会社さくら", "株式会社山﨑製作所"]

    page = client.get("/me/").text
    assert 'name="history-TOTAL_FORMS" value="3"' in page  # the two rows and an empty one
    client.post(
        "/me/",
        profile_data(
            **{
                "history-TOTAL_FORMS": "2",
                "history-INITIAL_FORMS": "2",
                "history-1-company": "合同会社さくら",
                "history-1-started_on": "2024-04",
                "history-1-DELETE": "on",
            }
        ),
    )
    assert list(hanako.work_history.values_list("company", flat=True)) == ["株式会社山﨑製作所"]


def test_the_last_updated_date_moves_only_when_something_really_changes(client, hanako):
    sign_in_candidate(client, hanako)
    client.post("/me/", profile_data())
    hanako.refresh_from_db()
    first_save = hanako.profile_updated_at
    assert first_save > LONG_AGO

    Candidate.objects.filter(pk=hanako.pk).update(profile_updated_at=LONG_AGO)
    response = client.post("/me/", profile_data(), follow=True)  # the same again
    assert "変更はありませんでした。" in response.text
    hanako.refresh_from_db()
    assert hanako.profile_updated_at == LONG_AGO

    client.post("/me/", profile_data(summary="営業とマーケティングの経験があります。"))
    hanako.refresh_from_db()
    assert hanako.profile_updated_at > LONG_AGO


def test_signing_in_does_not_touch_the_last_updated_date(client, hanako):
    sign_in_candidate(client, hanako)
    client.get("/me/")
    hanako.refresh_from_db()
    assert hanako.profile_updated_at == LONG_AGO


@pytest.mark.parametrize("path", ["/me/", "/me/resume/", "/me/introductions/", "/me/account/"])
def test_every_my_page_shows_the_last_updated_date(client, hanako, path):
    sign_in_candidate(client, hanako)
    page = client.get(path).text
    assert "最終更新日" in page
    assert f'datetime="{timezone.localtime(LONG_AGO).isoformat()}"' in page


def test_the_form_starts_from_what_was_registered(client, hanako):
    hanako.skills = "法人営業, Excel"
    hanako.save()
    sign_in_candidate(client, hanako)
    page = client.get("/me/").text
    assert 'value="法人営業, Excel"' in page
    assert 'value="sales" id="id_desired_job_categories_0" checked' in page


def test_the_introductions_section_says_plainly_when_there_are_none(client, hanako):
    sign_in_candidate(client, hanako)
    page = client.get("/me/introductions/").text
    assert "まだ紹介はありません。" in page

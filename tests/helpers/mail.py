from datetime import date

from careerrelay.common.japanese import normalize_email
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.talent.models import Applicant

TEXT = (
    "{{applicant_name}} 様\n\n{{company_name}}の{{job_title}}へのご応募ありがとうございました。\n\n"
    "次の一歩: {{relay_link}}\n\n{{sender_name}}\n{{signature}}\n"
)


def make_applicant(organisation, family_name="髙橋", given_name="花子", email=None, **fields):
    email = email or f"{given_name}.{Applicant.objects.count()}@example.jp"
    fields.setdefault("job_title", "営業職")
    fields.setdefault("rejected_on", date(2026, 11, 2))
    return Applicant.objects.create(
        organisation=organisation,
        family_name=family_name,
        given_name=given_name,
        email=email,
        email_normalized=normalize_email(email),
        **fields,
    )


def form_data(template, applicants, step, **extra):
    return {
        "template": template.pk,
        "applicants": [a.pk for a in applicants],
        "campaign": template.organisation.campaigns.get(is_default=True).pk,
        "sender_name": "人事部 鈴木",
        "signature": "株式会社山﨑製作所",
        "when": "now",
        "business_days": "",
        "send_time": "10:00",
        "step": step,
        **extra,
    }


def make_template(employer):
    """The company's own rejection template most tests of the outbox and of sends mail with."""
    return RejectionTemplate.objects.create(
        organisation=employer,
        name="中途・丁寧",
        language="ja",
        subject="{{company_name}} 選考結果のご連絡（{{applicant_name}} 様）",
        body=TEXT,
    )


def make_applicants(employer):
    return [
        make_applicant(employer, "髙橋", "花子", "hanako.takahashi@example.jp"),
        make_applicant(
            employer, "山﨑", "太郎", "taro.yamasaki@example.jp", job_title="エンジニア", stage="final_interview"
        ),
        make_applicant(employer, "佐藤", "次郎", "jiro.sato@example.jp", rejected_on=date(2026, 10, 1)),
    ]

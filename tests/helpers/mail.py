from datetime import date

from careerrelay.common.japanese import normalize_email
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

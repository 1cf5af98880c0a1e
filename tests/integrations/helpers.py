from careerrelay.integrations.models import Integration
from careerrelay.rejections.models import RejectionTemplate
from tests.helpers.generic_ats import SECRET

TEXT = (
    "{{applicant_name}} 様\n\n{{company_name}}の{{job_title}}へのご応募ありがとうございました。\n\n"
    "次の一歩: {{relay_link}}\n"
)


def generic_integration(employer, **fields):
    fields.setdefault("name", "自社ATS")
    return Integration.objects.create(organisation=employer, kind="generic", secret=SECRET, **fields)


def template(employer):
    return RejectionTemplate.objects.create(
        organisation=employer, name="ATS自動送信", language="ja", subject="{{company_name}} 選考結果のご連絡", body=TEXT
    )

from careerrelay.talent.models import Applicant


def make_applicant(organisation, *, family_name="髙橋", given_name="一郎", email=None, job_title="法人営業"):
    email = email or f"{given_name}.{organisation.pk}@example.jp"
    return Applicant.objects.create(
        organisation=organisation,
        family_name=family_name,
        given_name=given_name,
        email=email,
        email_normalized=email.lower(),
        job_title=job_title,
    )

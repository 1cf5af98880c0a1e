from careerrelay.agencies import services as agencies
from careerrelay.candidates.models import Consent
from tests.factories import UserFactory

SHARING = Consent.Purpose.AGENCY_SHARING


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def make_agency(name, licence, admin_email, *, approve=True):
    admin = UserFactory(email=admin_email)
    organisation = agencies.create_agency(
        name=name,
        licence_number=licence,
        address="東京都千代田区丸の内1-1-1",
        representative="山﨑 太郎",
        admin=admin,
        approve=approve,
    )
    return organisation, admin


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


SIGNUP = {
    "company_name": "株式会社　ひかり人材",
    "licence_number": "１３－ユ－３１０００１",
    "address": "東京都港区芝公園4-2-8",
    "representative": "山﨑 次郎",
    "name": "髙橋 一郎",
    "email": "ＡＤＭＩＮ＠hikari.example",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}

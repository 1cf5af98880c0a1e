import pytest

from careerrelay.common.mailboxes import canonical_mailbox, email_domain, is_public_mailbox


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("me+1@example.com", "me@example.com"),
        ("Me+anything+more@Example.COM", "me@example.com"),
        ("ｍｅ＋３＠ｅｘａｍｐｌｅ．ｃｏｍ", "me@example.com"),  # typed in full width on a phone
        ("m.e@gmail.com", "me@gmail.com"),
        ("M.E+jobs@googlemail.com", "me@gmail.com"),
        ("m.e@example.com", "m.e@example.com"),  # dots matter outside Gmail
        ("taro.yamada@yahoo.co.jp", "taro.yamada@yahoo.co.jp"),
        ("+only@example.com", "+only@example.com"),  # nothing before the tag: keep as typed
    ],
)
def test_canonical_mailbox_folds_what_reaches_one_inbox(address, canonical):
    assert canonical_mailbox(address) == canonical


def test_different_people_stay_different():
    assert canonical_mailbox("me@example.com") != canonical_mailbox("me@example.jp")
    assert canonical_mailbox("a.b@outlook.jp") != canonical_mailbox("ab@outlook.jp")


def test_public_mailbox_domains():
    assert is_public_mailbox("someone@docomo.ne.jp")
    assert is_public_mailbox("ＧＭＡＩＬ.com")
    assert not is_public_mailbox("hr@acme.co.jp")
    assert email_domain("Taro@Ａｃｍｅ.co.jp") == "acme.co.jp"

from django import template

from careerrelay.candidates.signin import signin_page_url

register = template.Library()


@register.simple_tag(takes_context=True)
def signin_url(context):
    """The sign-in page for a candidate's email, filled in with the address the mail goes to, but
    only when that is the address they sign in with (not a new one that is still unconfirmed).
    queue_email puts the recipient in the context."""
    recipient = context.get("recipient", "")
    candidate = context.get("candidate")
    prefill = recipient if candidate is not None and recipient == candidate.email else ""
    return signin_page_url(prefill)

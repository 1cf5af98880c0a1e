from allauth.account.adapter import DefaultAccountAdapter

from careerrelay.outbox.services import queue_rendered_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Through the outbox and the task worker, like every other email.
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        queue_rendered_email(to=email, subject=message.subject, text=message.body, html=html, template=template_prefix)

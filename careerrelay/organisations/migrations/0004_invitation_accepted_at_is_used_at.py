"""Invitation becomes a common.single_use.SingleUseToken: its "accepted" column is the base's
used_at. A rename keeps every row; the open-invitation constraint names the column, so it is
dropped before and made again after (same name, same rows allowed)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_employer_review_and_link_domains"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="invitation", name="one_open_invitation_per_email"),
        migrations.RenameField(model_name="invitation", old_name="accepted_at", new_name="used_at"),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True), ("used_at__isnull", True)),
                fields=("organisation", "email"),
                name="one_open_invitation_per_email",
            ),
        ),
    ]

# The Send model moved here from the outbox app (label "mailings"), where migrations 0002–0005
# created and changed its table. Only Django's idea of which app owns the model changes: the
# table keeps its name (mailings_send) and its rows, so this migration touches no database.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("mailings", "0005_send_held_until"),
        ("organisations", "0004_invitation_accepted_at_is_used_at"),
        ("rejections", "0003_install_presets"),
        ("relay", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Send",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("template_name", models.CharField(max_length=100, verbose_name="テンプレート")),
                        ("sender_name", models.CharField(blank=True, max_length=100, verbose_name="送信者名")),
                        ("signature", models.TextField(blank=True, verbose_name="署名")),
                        ("business_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("scheduled_at", models.DateTimeField(verbose_name="送信予定")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("preparing", "準備中"),
                                    ("scheduled", "予約済み"),
                                    ("sending", "送信中"),
                                    ("done", "完了"),
                                    ("cancelled", "取消"),
                                ],
                                db_index=True,
                                default="scheduled",
                                max_length=16,
                            ),
                        ),
                        ("next_batch_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("pending", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("held_until", models.DateTimeField(blank=True, null=True, verbose_name="保留(再開予定)")),
                        (
                            "campaign",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sends",
                                to="relay.relaycampaign",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sends",
                                to="organisations.organisation",
                            ),
                        ),
                        (
                            "template",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sends",
                                to="rejections.rejectiontemplate",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "mailings_send",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["organisation", "-created_at"], name="send_org_created")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

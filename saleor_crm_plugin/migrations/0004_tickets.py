import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_crm_plugin", "0003_segments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Macro",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=128, unique=True)),
                ("body", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
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
            ],
            options={
                "db_table": "crm_ticket_macro",
            },
        ),
        migrations.CreateModel(
            name="Ticket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subject", models.CharField(max_length=255)),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("web", "web form"),
                            ("email", "Email"),
                            ("chat", "Chat"),
                            ("phone", "Phone"),
                            ("social", "Social"),
                            ("staff", "staff-created"),
                        ],
                        default="web",
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("open", "Open"),
                            ("pending", "pending on customer"),
                            ("on_hold", "on hold"),
                            ("solved", "Solved"),
                            ("closed", "Closed"),
                        ],
                        default="new",
                        max_length=16,
                    ),
                ),
                (
                    "priority",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "low"), (2, "normal"), (3, "high"), (4, "urgent")], default=2
                    ),
                ),
                ("tags", models.JSONField(blank=True, default=list)),
                ("first_response_due_at", models.DateTimeField(blank=True, null=True)),
                ("resolution_due_at", models.DateTimeField(blank=True, null=True)),
                ("first_responded_at", models.DateTimeField(blank=True, null=True)),
                ("first_response_breached", models.BooleanField(default=False)),
                ("resolution_breached", models.BooleanField(default=False)),
                ("sla_at_risk", models.BooleanField(default=False, help_text="A due time is near (settings).")),
                (
                    "sla_paused_at",
                    models.DateTimeField(blank=True, help_text="Pending on the customer since.", null=True),
                ),
                ("sla_paused_seconds", models.PositiveIntegerField(default=0)),
                ("rating", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("rating_comment", models.TextField(blank=True)),
                ("rated_at", models.DateTimeField(blank=True, null=True)),
                ("last_message_at", models.DateTimeField()),
                ("solved_at", models.DateTimeField(blank=True, null=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="crm_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="merged",
                        to="saleor_crm_plugin.ticket",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="saleor_crm_plugin.ordersnapshot",
                    ),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tickets",
                        to="saleor_crm_plugin.customerprofile",
                    ),
                ),
            ],
            options={
                "db_table": "crm_ticket",
            },
        ),
        migrations.CreateModel(
            name="TicketMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(choices=[("public", "public reply"), ("note", "internal note")], max_length=8),
                ),
                (
                    "author_kind",
                    models.CharField(
                        choices=[("shopper", "Shopper"), ("staff", "Staff"), ("system", "System")], max_length=8
                    ),
                ),
                ("body", models.TextField(help_text="Plain text, shown escaped.")),
                ("attachments", models.JSONField(blank=True, default=list, help_text="URLs.")),
                ("external_id", models.CharField(blank=True, max_length=255, null=True, unique=True)),
                ("emailed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="saleor_crm_plugin.ticket",
                    ),
                ),
            ],
            options={
                "db_table": "crm_ticket_message",
            },
        ),
        migrations.AddField(
            model_name="ticket",
            name="last_message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="saleor_crm_plugin.ticketmessage",
            ),
        ),
        migrations.CreateModel(
            name="TicketEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=32)),
                (
                    "actor_kind",
                    models.CharField(
                        choices=[("shopper", "Shopper"), ("staff", "Staff"), ("system", "System")], max_length=8
                    ),
                ),
                ("data", models.JSONField(blank=True, default=dict)),
                ("occurred_at", models.DateTimeField()),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="saleor_crm_plugin.ticket",
                    ),
                ),
            ],
            options={
                "db_table": "crm_ticket_event",
                "indexes": [
                    models.Index(fields=["ticket", "occurred_at", "id"], name="crm_ticket__ticket__f652e4_idx")
                ],
            },
        ),
        migrations.AddIndex(
            model_name="ticketmessage",
            index=models.Index(fields=["ticket", "created_at", "id"], name="crm_ticket__ticket__e80aaf_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["-last_message_at", "-id"], name="crm_ticket_inbox_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["status", "-last_message_at", "-id"], name="crm_ticket_status_inbox_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["profile", "-last_message_at"], name="crm_ticket_profile_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["assignee", "status"], name="crm_ticket_assignee_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("first_responded_at__isnull", True), ("first_response_breached", False)),
                fields=["first_response_due_at"],
                name="crm_ticket_first_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("resolution_breached", False), ("solved_at__isnull", True)),
                fields=["resolution_due_at"],
                name="crm_ticket_resolution_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "solved")), fields=["solved_at"], name="crm_ticket_solved_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rating__isnull", True), models.Q(("rating__gte", 1), ("rating__lte", 5)), _connector="OR"
                ),
                name="crm_ticket_rating_1_5",
            ),
        ),
    ]

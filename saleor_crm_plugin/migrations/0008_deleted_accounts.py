from django.db import migrations, models

DELETED = "customer.deleted:"


def tombstones_from_receipts(apps, schema_editor):
    """Receipts of customer deletions were the tombstones; they become rows that are never pruned."""
    ProcessedEvent = apps.get_model("saleor_crm_plugin", "ProcessedEvent")
    DeletedAccount = apps.get_model("saleor_crm_plugin", "DeletedAccount")
    receipts = ProcessedEvent.objects.filter(key__startswith=DELETED, key__endswith=":-")
    DeletedAccount.objects.bulk_create(
        [
            DeletedAccount(saleor_user_id=key[len(DELETED) : -2], deleted_at=at)
            for key, at in receipts.values_list("key", "processed_at").iterator()
        ],
        ignore_conflicts=True,
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("saleor_crm_plugin", "0007_automation")]

    operations = [
        migrations.CreateModel(
            name="DeletedAccount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("saleor_user_id", models.CharField(max_length=255, unique=True)),
                ("deleted_at", models.DateTimeField()),
            ],
            options={"db_table": "crm_deleted_account"},
        ),
        migrations.AlterField(
            model_name="processedevent",
            name="processed_at",
            field=models.DateTimeField(db_index=True),
        ),
        migrations.RunPython(tombstones_from_receipts, migrations.RunPython.noop),
    ]

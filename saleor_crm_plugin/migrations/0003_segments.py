"""Segments: saved queries, stored membership, count history, membership changes and RFM scores."""

import django.db.models.deletion
from django.db import migrations, models


def lines_index(apps, schema_editor):
    """JSON containment on order lines (bought_product/bought_category) uses a GIN index on PostgreSQL."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS crm_order_lines_gin ON crm_order_snapshot USING gin (lines jsonb_path_ops)"
        )


def drop_lines_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS crm_order_lines_gin")


def builtin_segments(apps, schema_editor):
    from saleor_crm_plugin.segments.builtin import ensure_builtin_segments

    ensure_builtin_segments(apps.get_model("saleor_crm_plugin", "Segment"))


class Migration(migrations.Migration):
    dependencies = [("saleor_crm_plugin", "0002_loyalty")]

    operations = [
        migrations.CreateModel(
            name='CustomerRfm',
            fields=[
                ('profile', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='rfm', serialize=False, to='saleor_crm_plugin.customerprofile')),
                ('recency', models.PositiveSmallIntegerField()),
                ('frequency', models.PositiveSmallIntegerField()),
                ('monetary', models.PositiveSmallIntegerField()),
                ('aov', models.PositiveSmallIntegerField(help_text='Average order value quintile, for the high-AOV segment.')),
                ('group', models.CharField(max_length=32)),
                ('currency', models.CharField(max_length=3)),
                ('computed_at', models.DateTimeField(help_text='When these scores were last set (unchanged scores keep it).')),
            ],
            options={
                'db_table': 'crm_customer_rfm',
            },
        ),
        migrations.CreateModel(
            name='Segment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=128)),
                ('slug', models.SlugField(max_length=128, unique=True)),
                ('query', models.TextField()),
                ('description', models.TextField(blank=True)),
                ('is_builtin', models.BooleanField(default=False)),
                ('time_relative', models.BooleanField(default=False)),
                ('member_count', models.PositiveIntegerField(default=0)),
                ('evaluated_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'db_table': 'crm_segment',
            },
        ),
        migrations.CreateModel(
            name='SegmentEvaluation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('evaluated_at', models.DateTimeField()),
                ('member_count', models.PositiveIntegerField()),
                ('entered', models.PositiveIntegerField(default=0)),
                ('left', models.PositiveIntegerField(default=0)),
                ('segment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evaluations', to='saleor_crm_plugin.segment')),
            ],
            options={
                'db_table': 'crm_segment_evaluation',
            },
        ),
        migrations.CreateModel(
            name='SegmentMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('since', models.DateTimeField()),
                ('profile', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='segment_memberships', to='saleor_crm_plugin.customerprofile')),
                ('segment', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='saleor_crm_plugin.segment')),
            ],
            options={
                'db_table': 'crm_segment_membership',
            },
        ),
        migrations.CreateModel(
            name='SegmentMembershipChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('change', models.CharField(choices=[('entered', 'entered'), ('left', 'left')], max_length=8)),
                ('occurred_at', models.DateTimeField()),
                ('evaluation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='saleor_crm_plugin.segmentevaluation')),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='segment_changes', to='saleor_crm_plugin.customerprofile')),
                ('segment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='saleor_crm_plugin.segment')),
            ],
            options={
                'db_table': 'crm_segment_membership_change',
            },
        ),
        migrations.AddIndex(
            model_name='segmentevaluation',
            index=models.Index(fields=['segment', '-evaluated_at'], name='crm_segment_eval_history'),
        ),
        migrations.AddConstraint(
            model_name='segmentmembership',
            constraint=models.UniqueConstraint(fields=('segment', 'profile'), name='crm_segment_member_once'),
        ),
        migrations.AddIndex(
            model_name='segmentmembershipchange',
            index=models.Index(fields=['profile', '-occurred_at'], name='crm_segment_change_profile'),
        ),
            migrations.RunPython(lines_index, drop_lines_index),
        migrations.RunPython(builtin_segments, migrations.RunPython.noop),
    ]

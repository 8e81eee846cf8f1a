import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_crm_plugin", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Reward',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=128)),
                ('description', models.CharField(blank=True, max_length=512)),
                ('points_cost', models.PositiveIntegerField()),
                ('value', models.DecimalField(decimal_places=3, max_digits=12)),
                ('currency', models.CharField(max_length=3)),
                ('channel', models.CharField(max_length=255)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'db_table': 'crm_loyalty_reward',
                'ordering': ['points_cost', 'id'],
            },
        ),
        migrations.CreateModel(
            name='LoyaltyAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('available', models.IntegerField(default=0)),
                ('pending', models.IntegerField(default=0)),
                ('lifetime', models.IntegerField(default=0, help_text='Points ever earned, net of reversals and adjustments.')),
                ('debt', models.IntegerField(default=0, help_text='Points taken back that the balance could not cover.')),
                ('tier', models.CharField(blank=True, max_length=64)),
                ('tier_since', models.DateTimeField(blank=True, null=True)),
                ('tier_kept_until', models.DateTimeField(blank=True, help_text='No downgrade before this.', null=True)),
                ('tier_floor', models.CharField(blank=True, help_text='The tier the last re-evaluation granted: ingest never goes below it.', max_length=64)),
                ('tier_floor_at', models.DateTimeField(blank=True, help_text='When the floor last changed.', null=True)),
                ('expiring_points', models.IntegerField(default=0)),
                ('expiring_at', models.DateTimeField(blank=True, null=True)),
                ('birth_date', models.DateField(blank=True, null=True)),
                ('first_release_at', models.DateTimeField(blank=True, null=True)),
                ('last_activity_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('profile', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='loyalty', to='saleor_crm_plugin.customerprofile')),
            ],
            options={
                'db_table': 'crm_loyalty_account',
            },
        ),
        migrations.CreateModel(
            name='OrderPoints',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('saleor_order_id', models.CharField(max_length=128, unique=True)),
                ('number', models.CharField(blank=True, max_length=64)),
                ('channel', models.CharField(blank=True, max_length=255)),
                ('currency', models.CharField(max_length=3)),
                ('amount', models.DecimalField(decimal_places=3, help_text='The amount points were earned on.', max_digits=20)),
                ('points', models.IntegerField()),
                ('reversed', models.IntegerField(default=0)),
                ('bonus', models.IntegerField(default=0, help_text='Tier bonus posted on top of the released points.')),
                ('bonus_revision', models.IntegerField(default=0, help_text='How many times the tier bonus was settled.')),
                ('placed_at', models.DateTimeField()),
                ('release_at', models.DateTimeField(blank=True, null=True)),
                ('released_at', models.DateTimeField(blank=True, null=True)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='orders', to='saleor_crm_plugin.loyaltyaccount')),
            ],
            options={
                'db_table': 'crm_loyalty_order_points',
            },
        ),
        migrations.CreateModel(
            name='Redemption',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('points', models.PositiveIntegerField()),
                ('value', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=12)),
                ('currency', models.CharField(max_length=3)),
                ('channel', models.CharField(max_length=255)),
                ('status', models.CharField(choices=[('issued', 'issued'), ('failed', 'failed')], max_length=16)),
                ('code', models.CharField(blank=True, max_length=64)),
                ('reference', models.CharField(blank=True, help_text="The store's ID of the gift card.", max_length=128)),
                ('checkout_id', models.CharField(blank=True, max_length=128)),
                ('error', models.CharField(blank=True, max_length=512)),
                ('created_at', models.DateTimeField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='redemptions', to='saleor_crm_plugin.loyaltyaccount')),
                ('reward', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='redemptions', to='saleor_crm_plugin.reward')),
            ],
            options={
                'db_table': 'crm_loyalty_redemption',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PointsLedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('earn', 'Earn'), ('pending', 'Pending'), ('release', 'Release'), ('redeem', 'Redeem'), ('reverse', 'Reverse'), ('expire', 'Expire'), ('adjust', 'Adjust'), ('bonus', 'Bonus')], max_length=16)),
                ('points', models.IntegerField(help_text='The change as the shopper reads it (negative when points go).')),
                ('available_change', models.IntegerField(default=0)),
                ('pending_change', models.IntegerField(default=0)),
                ('debt_change', models.IntegerField(default=0)),
                ('available_after', models.IntegerField()),
                ('pending_after', models.IntegerField()),
                ('debt_after', models.IntegerField()),
                ('saleor_order_id', models.CharField(blank=True, max_length=128, null=True)),
                ('rule', models.CharField(blank=True, help_text='What caused it: order, refund, signup, expiry…', max_length=64)),
                ('reason', models.CharField(blank=True, max_length=512)),
                ('idempotency_key', models.CharField(max_length=255, unique=True)),
                ('occurred_at', models.DateTimeField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ledger', to='saleor_crm_plugin.loyaltyaccount')),
                ('staff_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('redemption', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='saleor_crm_plugin.redemption')),
            ],
            options={
                'db_table': 'crm_loyalty_ledger',
            },
        ),
        migrations.AddConstraint(
            model_name='loyaltyaccount',
            constraint=models.CheckConstraint(condition=models.Q(('available__gte', 0), ('debt__gte', 0), ('pending__gte', 0)), name='crm_loyalty_balances_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='loyaltyaccount',
            constraint=models.CheckConstraint(condition=models.Q(('available', 0), ('debt', 0), _connector='OR'), name='crm_loyalty_debt_only_when_empty'),
        ),
        migrations.AddIndex(
            model_name='orderpoints',
            index=models.Index(condition=models.Q(('cancelled_at__isnull', True), ('released_at__isnull', True)), fields=['release_at'], name='crm_loyalty_due_idx'),
        ),
        migrations.AddIndex(
            model_name='orderpoints',
            index=models.Index(fields=['account', '-placed_at'], name='crm_loyalty_account_92ce9d_idx'),
        ),
        migrations.AddIndex(
            model_name='pointsledgerentry',
            index=models.Index(fields=['account', '-occurred_at', '-id'], name='crm_loyalty_account_7d6b91_idx'),
        ),
        migrations.AddIndex(
            model_name='pointsledgerentry',
            index=models.Index(fields=['saleor_order_id'], name='crm_loyalty_saleor__651c65_idx'),
        ),
    ]

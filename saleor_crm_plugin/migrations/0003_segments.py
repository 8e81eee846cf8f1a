from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("saleor_crm_plugin", "0002_loyalty")]

    operations = []

"""What the sandbox remembers about itself."""

from django.db import models


class GeneratedStore(models.Model):
    """The store ``crm_sandbox_seed`` generated last (size, seed, trading period): the sandbox's
    backfill walks this same store, so ``crm_backfill`` after the demo finds everything applied."""

    customers = models.PositiveIntegerField()
    seed = models.IntegerField()
    start = models.DateTimeField()
    days = models.PositiveIntegerField()
    seeded_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_sandbox_generated_store"

"""Recommendations: 'bought together' and 'customers like you bought', rebuilt from order history."""

from .lookup import Recommended, bought_together, for_profiles

__all__ = ["Recommended", "bought_together", "for_profiles"]

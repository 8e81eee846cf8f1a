"""Loyalty: a points ledger per shopper, earning from orders, tiers, rewards and expiry."""

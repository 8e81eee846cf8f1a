"""What the Dashboard App pages read beyond the domain APIs: lookups by Saleor IDs, page helpers."""

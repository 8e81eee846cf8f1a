"""The Saleor layer: the only code that imports ``saleor``. Everything else sees CRM events."""

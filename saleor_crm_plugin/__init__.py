"""A CRM that lives inside a Saleor store: profiles, loyalty, segments, tickets, automation."""

__version__ = "0.1.0"

"""The storefront loyalty widget: one script tag, served by the plugin."""

"""The storefront widget (Rewards and Help tabs): one script tag, served by the plugin."""

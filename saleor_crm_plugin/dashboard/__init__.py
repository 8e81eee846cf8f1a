"""The Saleor App of the CRM: its manifest and the built dashboard pages, served by the plugin itself."""

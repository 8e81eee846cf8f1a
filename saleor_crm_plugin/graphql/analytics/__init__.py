"""GraphQL of analytics: store figures and customer predictions."""

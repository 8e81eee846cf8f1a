"""Analytics: customer predictions (CLV, churn risk) and store figures. Statistics in SQL, fits on arrays."""

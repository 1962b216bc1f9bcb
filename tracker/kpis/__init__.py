"""Key performance indicators: definitions, targets by year, period values, status and trend."""

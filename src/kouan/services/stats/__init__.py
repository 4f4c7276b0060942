"""Port statistics: imported returns (imports), the rollups Kouan keeps from its records
(rollups) and the monthly figures read from both (figures)."""

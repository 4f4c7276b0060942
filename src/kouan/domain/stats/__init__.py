"""Port statistics, pure: indicators and their units (indicators), months (periods), changes and
ranks (growth), and how a bulletin writes them in Chinese and English (units)."""

"""Duties and taxes before release: the tariff, assessments at filing, guarantees, payments, and
ships' tonnage dues."""

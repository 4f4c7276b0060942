"""Transit under customs seal (转关): open, depart, arrive, close; overdue transits alert."""

"""What the terminals saw: containers discharged and loaded (COARRI or JSON), bay plans (BAPLIE),
goods-arrival reports, and the discrepancies with the manifests that customs is shown."""

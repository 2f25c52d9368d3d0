"""Floor 5: one delivery: the core (schedule, block, verdict, record), its drivers, log and bulk."""

"""Real traffic in tests: capture deliveries, scrub, keep as cassettes, replay, find drift."""

"""Floor 3: events: the factory, overrides, the Event value, signing and signature modes."""

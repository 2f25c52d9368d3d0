"""Floor 2: entity records, ids and lifecycles: the truth events and REST answers share."""

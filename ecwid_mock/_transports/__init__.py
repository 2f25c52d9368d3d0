"""Floor 4: how a request reaches a receiver: the network engine and in-process apps."""

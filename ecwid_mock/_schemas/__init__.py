"""Floor 1: ``schemas/`` read into Python: catalogue, validators, walker, contract."""

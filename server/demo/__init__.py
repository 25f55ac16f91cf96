"""The demo shop: a deterministic synthetic abarrotes (`caja demo`). See seed.py; word lists in words.py."""

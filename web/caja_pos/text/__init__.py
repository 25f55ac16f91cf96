"""What the cashier reads: the POS's labels in Spanish and English. Pure: importable from every layer."""

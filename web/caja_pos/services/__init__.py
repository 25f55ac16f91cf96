"""What the POS does, without a screen: the till and its sales, the outbox and its sync loop, the feeds, backups,
connectivity, the clock and background tasks. Browser-free but for what platform.py lends them."""

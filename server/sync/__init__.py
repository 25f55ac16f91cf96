"""What terminals send the ERP: sales (folios, stock), customers created offline, voids. One module each."""

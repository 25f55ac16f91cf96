"""Screens and dialogs: they build DOM from text, listen through the ui layer and act through the services they are
given. They never reach the store, the network or the browser directly."""

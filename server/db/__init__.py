"""Database layer: table definitions, engine set-up and migrations. No business rules here (see poscore)."""

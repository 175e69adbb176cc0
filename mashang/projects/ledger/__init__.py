"""The project ledger (项目台账): Excel export and all-or-nothing import."""

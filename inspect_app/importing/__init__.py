"""Import of legacy Excel workbooks: column mapping, reading, dry-run validation, report."""

"""Collection workbooks: what the units fill in (socta collect) and how it is read back (socta import --workbook)."""

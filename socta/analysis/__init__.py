"""Methods on validated tables: yearly series, trend fits, OCG and area scores, rank robustness,
the disclosure model and the estimative yardstick. No file is read or written here."""

"""Validated inputs → processed tables: what every page reads, with the public edition's disclosure
policy applied and the fingerprints that say what the tables were made from."""

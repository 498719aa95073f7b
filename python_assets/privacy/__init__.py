"""Privacy: finding and replacing personal data and secrets in text."""

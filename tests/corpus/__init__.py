"""The compatibility corpus: small apps, each with the CASES run differentially."""

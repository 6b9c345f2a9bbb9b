"""Gate reports: console table, SARIF 2.1.0, JUnit XML, JSON and a Markdown summary."""

"""The numbered schema migrations, shipped in the wheel as package data."""

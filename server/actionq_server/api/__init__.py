"""The gRPC face: validate, call the service or store, convert; no SQL here."""

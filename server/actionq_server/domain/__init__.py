"""The domain: plain data, lifecycle rules and errors; no gRPC, no asyncpg."""

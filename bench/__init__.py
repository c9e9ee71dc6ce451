"""The actionq benchmark: actionq through gRPC against plain SQL, same machine, same run."""

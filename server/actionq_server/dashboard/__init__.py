"""The web dashboard on the HTTP port: a JSON API over the same store and
service the gRPC API uses, a Server-Sent Events stream that follows the event
log, and the static page (HTML, CSS, ES modules) that shows them."""

from .routes import Dashboard

__all__ = ["Dashboard"]

"""An app that configures logging itself, at import, as the seed's example worker does."""
import logging

logging.basicConfig(level=logging.DEBUG, format="%(levelname)s|%(name)s|%(message)s")
log = logging.getLogger("shop.orders")


def handle(method, path, params, query, headers, body):
    log.debug("a debug record")
    log.info("an info record")
    log.warning("a warning record")
    return 200, "logged", {}

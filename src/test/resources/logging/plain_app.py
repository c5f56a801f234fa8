"""An app that configures no logging at all."""
import logging

log = logging.getLogger("shop.stock")


def handle(method, path, params, query, headers, body):
    log.info("an info record")
    log.warning("a warning record")
    return 200, "logged", {}

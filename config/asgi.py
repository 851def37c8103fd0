"""ASGI entry point: Daphne serves HTTP and the live WebSocket (``/ws/``) from here."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()  # sets Django up before the imports below

from django.conf import settings  # noqa: E402

from config.socket_server import (  # noqa: E402
    SocketDoor,
    close_oversized_messages_with_1009,
    give_back_socket_places_at_shutdown,
)
from frontend.consumer import LiveConsumer  # noqa: E402
from notifications.worker import start_in_process  # noqa: E402

if settings.NOTIFICATIONS_IN_PROCESS_WORKER:
    # The embedded default (make run): deliveries go out from a thread of this process, so
    # nothing else needs to run. With a separate worker (Procfile) this is off.
    start_in_process()

close_oversized_messages_with_1009()
give_back_socket_places_at_shutdown()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # An Origin other than the site's own (scheme, host and port) or a missing one is
        # refused (and logged) before the session is read: another site's page must not open
        # a socket with a visitor's cookies.
        "websocket": SocketDoor(LiveConsumer),
    }
)

# What is built by now (Django, the apps, the URL and template machinery) lives as long as the
# process. Frozen, it is left out of the collector's full collections, which walked it every
# time. And the youngest generation is collected every 20,000 allocations rather than 700, so
# that a frame's short-lived objects die before a collection and fewer are promoted towards
# the full collections. At 200 messages a second those paused a server for 110-170 ms several
# times a minute, most of the tail of the send's latency: p99 109-137 ms before, 42 ms after
# (gc callbacks in the bench's servers, bench/dialogue_load.py).
gc.freeze()
gc.set_threshold(20_000, 10, 10)

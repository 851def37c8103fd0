"""``python -m devidp prepare|serve``: the development identity providers' command line.

prepare --dir DIR --base-url URL
    keys (made once: idp.key/.crt, and the service's sp.key/.crt) and both providers'
    metadata (DIR/eid-metadata.xml, DIR/school-metadata.xml)
serve --dir DIR --host H --port P --base-url URL --sp-metadata FILE_OR_URL
      [--identities FILE] [--faults] [--server-pid PID]
    answer logins; with --server-pid, stop when that process has ended (``make run``
    starts the provider beside the server)
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
import warnings
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

# pysaml2 still names a cipher mode that `cryptography` has moved; not ours to fix.
warnings.filterwarnings("ignore", message="CFB has been moved")

from devidp import metadata  # noqa: E402
from devidp.app import App  # noqa: E402
from devidp.identities import DEMO_FILE, IdentitiesError, load  # noqa: E402
from devidp.provider import DevIdentityProvider  # noqa: E402
from devidp.sp_metadata import SpMetadataSource  # noqa: E402


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class ThreadingServer6(ThreadingServer):
    address_family = socket.AF_INET6


class QuietHandler(WSGIRequestHandler):
    """One line per request, without the query string (it carries SAML messages)."""

    def log_message(self, format: str, *args: object) -> None:
        path = self.path.split("?", 1)[0]
        sys.stderr.write(f"devidp: {self.command} {path} {args[1] if len(args) > 1 else ''}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devidp", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="make keys and metadata")
    prepare.add_argument("--dir", required=True, type=Path)
    prepare.add_argument("--base-url", required=True)
    serve = commands.add_parser("serve", help="answer logins")
    serve.add_argument("--dir", required=True, type=Path)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--base-url", required=True)
    serve.add_argument("--sp-metadata", required=True, help="the service's metadata: a file or a URL")
    serve.add_argument("--identities", type=Path, default=DEMO_FILE)
    serve.add_argument("--faults", action="store_true", help="offer broken answers (tests)")
    serve.add_argument("--server-pid", type=int, default=0)
    serve.add_argument("--clock-skew", type=int, default=60)
    options = parser.parse_args(argv)

    if options.command == "prepare":
        for path in metadata.prepare(options.dir, options.base_url):
            print(f"devidp: {path}")
        return 0

    missing = [p for p in metadata.PROVIDERS if not metadata.metadata_path(options.dir, p).is_file()]
    if missing:
        parser.error(f"run `python -m devidp prepare --dir {options.dir}` first")
    try:
        identities = load(options.identities, tuple(metadata.PROVIDERS))
    except IdentitiesError as error:
        parser.error(str(error))
    idp = DevIdentityProvider(
        options.dir,
        options.base_url,
        SpMetadataSource(options.sp_metadata),
        identities,
        faults_enabled=options.faults,
        clock_skew=options.clock_skew,
    )
    server_class = ThreadingServer6 if ":" in options.host else ThreadingServer
    httpd = make_server(
        options.host,
        options.port,
        App(idp, options.dir),
        server_class=server_class,
        handler_class=QuietHandler,
    )
    if options.server_pid:
        threading.Thread(target=_stop_with, args=(options.server_pid, httpd), daemon=True).start()
    print(f"devidp: development identity providers at {options.base_url.rstrip('/')}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


def _stop_with(pid: int, httpd: WSGIServer) -> None:
    while _alive(pid):
        time.sleep(1)
    httpd.shutdown()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    sys.exit(main())

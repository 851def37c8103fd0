"""A SAML identity provider for development and tests only: never part of the service.

``python -m devidp prepare`` makes signing keys and the metadata of two providers (an e-ID
provider like a municipality's Sweden Connect broker, and a school-federation provider);
``python -m devidp serve`` answers their logins with identities read from a JSON file, so the
login buttons work on a fresh machine (``make run``) and the tests drive the whole SAML flow
against a real provider in its own process. It uses pysaml2's identity-provider side, so the
messages are the ones a real provider sends; with ``--faults`` it can also send the broken
ones (a signature that fails, an expired assertion, a wrong audience).

This package is standalone: it imports only pysaml2, cryptography and the standard library,
never Django or the service's apps (an import-linter contract keeps it so).
"""

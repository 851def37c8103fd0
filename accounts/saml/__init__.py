"""Logging in with e-ID and school accounts over SAML 2.0: this service's side (the service
provider). ``config`` builds the pysaml2 configuration, ``metadata`` keeps the identity
providers' metadata, ``providers`` says which provider is for what, ``levels`` reads the level
of assurance, ``backend`` matches the asserted person to an account, ``replay`` refuses an
assertion seen before."""

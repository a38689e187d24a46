"""ENT assistance helpdesk: importing the package builds nothing; call create_app()."""


def create_app(config=None):
    """Build the Flask application (see helpdesk.app.create_app)."""
    from helpdesk.app import create_app as _create_app

    return _create_app(config)

"""Test accounts of the CAS server, read afresh from a JSON file at each login so that a test can change
a person's attributes between two logins: {"login": {"password": "...", "attributes": {name: value(s)}}}."""

import json
import os

from cas_server.auth import AuthUser


def _accounts() -> dict:
    with open(os.environ["CAS_ACCOUNTS"], encoding="utf-8") as handle:
        return json.load(handle)


class JsonFileUser(AuthUser):
    def test_password(self, password):
        account = _accounts().get(self.username)
        return account is not None and account["password"] == password

    def attributs(self):
        return dict(_accounts().get(self.username, {}).get("attributes", {}))

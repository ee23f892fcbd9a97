"""
The engine the contract suite (``contract_tests/``) runs on: the target's configuration, the
exchange, the judge, the Schemathesis check, the session, the recording and the pacer.

Importing this package imports nothing heavy; its modules import Schemathesis or requests only
where they need them.
"""

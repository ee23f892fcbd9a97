"""
The contract suite. A package so that an installed wheel runs it as
``pytest --pyargs truewatch_contract.contract_tests`` (with the ``TRUEWATCH_*`` variables).
"""

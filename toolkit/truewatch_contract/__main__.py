import sys

from truewatch_contract.cli import main

sys.exit(main())

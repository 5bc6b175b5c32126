"""The Innotater API: ``from labelspace.innotater import *``.

Code written for the original jupyter-innotater runs unchanged with this import line; see
``labelspace.widget.innotater`` for the classes.
"""

from labelspace.widget.innotater import *  # noqa: F403
from labelspace.widget.innotater import __all__  # noqa: F401

"""The label model: ontology, instances, coordinates, frames, spaces and label rows.

Pure Python and numpy: no file or network I/O here.
"""

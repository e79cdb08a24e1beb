"""The base layer: the item, the error tree, image conversion and decoding, tag text, the run report.

Everything above imports from here; nothing here imports from the rest of the package.
"""

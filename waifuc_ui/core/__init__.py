"""The base layer, one definition of each primitive.

    item       ImageItem, the unit that flows through a pipeline
    errors     the exception tree (problem and fix)
    hashing    the content hash (same input to every step) and the pixel-equality hash (same picture)
    imaging    alpha compositing, mode and 16-bit to 8-bit conversion
    image_io   decoding files and bytes within limits
    files      atomic writes;  jsondata  values as JSON
    settings   the environment, read in one place
    tags       tag text (underscores, kaomoji, captions);  report  the run report

Everything above imports from here; nothing here imports from the rest of the package.
"""

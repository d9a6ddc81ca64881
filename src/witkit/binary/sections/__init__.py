"""One reader per section of Binary.md, each module named after the section it reads.

Like wasmparser's ``readers/component/*``: ``types`` reads the type section (and
everything a type can contain), ``canonicals`` the canon section, and so on.
``sorts`` holds the small productions several sections share.
"""

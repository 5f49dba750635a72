"""Records between stages, identifier keys, text folding, files, node names, errors.

Used by every stage; imports no other stage.
"""

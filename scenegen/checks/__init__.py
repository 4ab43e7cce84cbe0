"""Cross-file checks of a loaded library: each module checks one area's references and reports into one
shared list, so ``scenegen kb check`` shows every problem at once.

``library`` gathers the parsed files into one read-only view; ``problems`` is the collector every check
writes to. The area modules import only those two (and ``refs`` for the mappings several areas share);
``scenegen.load`` calls them in a fixed order, which is the order the problems are listed in.
"""

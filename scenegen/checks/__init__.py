"""Cross-file checks of a loaded library: each module checks one area's references and reports into one
shared list, so ``scenegen kb check`` shows every problem at once.

``library`` gathers the parsed files into one read-only view and ``problems`` is the collector every check
writes to; ``refs`` checks the shapes several areas share (value mappings, advice). The areas: ``findings``
(with ``time_words``), ``settings``, ``complaints``, ``modifiers`` (and screens), ``implies``, ``conditions``
(with ``edges``) and ``safety_nets``. Imports run downward only: areas -> refs -> library, problems.
``scenegen.load`` calls the checks in a fixed order, which is the order the problems are listed in.
"""

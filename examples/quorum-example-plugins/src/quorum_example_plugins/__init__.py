"""Example Quorum plugins, one module per plugin (each an entry point of group ``quorum``):

- :mod:`quorum_example_plugins.median_box`: the ``median-box`` consensus algorithm for
  boxes (one object per label and image);
- :mod:`quorum_example_plugins.name_pattern`: the ``name-pattern`` workforce, the workers
  whose user name matches a configured pattern;
- :mod:`quorum_example_plugins.star_rating`: the ``star-rating`` task type with its own
  labeling element, ``<acme-star-rating>``.

They import only Quorum's public plugin API (the top of the ``quorum`` package).
"""

"""Sample content for a new site: the default category tree and generated documents.

``wenku demo`` uses it: ``categories.seed_categories`` gives an empty site a category
tree, ``generate.generate`` writes realistic documents in every supported format
(deterministic for a seed), and the command uploads them through the normal pipeline.
"""

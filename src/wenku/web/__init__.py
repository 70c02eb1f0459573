"""The site's pages that bring several apps together: the home page and browsing, the
document page, uploading. Each app's own pages stay in its ``views``; these sit on the
top floor because they gather from everything below (docs/architecture.md, "Layers").
"""

"""Reading articles: files, folders, URLs, feeds and uploads, with page boilerplate removed."""

"""dg-publish publishing: selection, garden paths and permalinks, the Digital Garden compile,
publication status, git sync and the static site."""

"""The operations console: a page at `/` (Chinese, every asset served from this package)
and the few JSON routes it needs beside the API's."""

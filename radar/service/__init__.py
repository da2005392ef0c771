"""One store with one model: the jobs the commands and the API call."""

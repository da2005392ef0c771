"""The `radar` command line, above every other layer: one module per command, each parsing
its options, calling a function of a lower layer and rendering what it returns
(`cli.render`); `cli.main` assembles them, `cli.failure` reports failures."""

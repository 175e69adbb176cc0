"""The project pages: the pipeline, one project, a new project, the ledger import and export."""

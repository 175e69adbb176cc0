"""The land-start pages: the runs list, the live board of a run, the history of records and
the bundle templates (list, plan, BPMN import, editor)."""

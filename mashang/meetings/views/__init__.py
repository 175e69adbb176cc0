"""The meeting pages: the list and month calendar, calling a meeting, one meeting (its agenda
builder, live minutes and decisions, the minutes as .docx and PDF), the action-item tracker
with its Excel export, and the leader's difficult cases."""

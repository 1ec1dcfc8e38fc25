"""Reports: indicators by school and result area, computed from stored counts with pandas.

`outcomes` runs on the completion path and stays light; `cube` keeps the
counted cells; `metrics` turns them into percentages; `privacy` suppresses
small cells; `service` is what the pages, exports and API call.
"""

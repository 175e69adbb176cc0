"""Unit scorecards (测评): each unit's rates, working hours and rank for a period of filing dates.

The modules, each importing only those above it in this list:

- ``formulas``    pure functions of counts, weights and periods: rates, the composite score,
                  the ranking, quantiles, periods (no database, no settings);
- ``models``      published scorecards (frozen figures) and the snapshots kept to be read
                  instead of recomputed; registered with the app by ``supervision/models.py``;
- ``period``      the demands of a period and their working hours;
- ``snapshot``    a period's figures kept per day of filing and read back while they hold;
- ``definitions`` what each figure means and is called, as the page, the API, the Excel
                  export and a publication show it;
- ``selectors``   the counts per unit and the scorecard as an actor may see it;
- ``services``    publishing a scorecard (the only write);
- ``export``      the scorecard as an Excel workbook;
- ``api``         the endpoints (mounted by ``mashang/api/router.py``);
- ``views``       the pages (included by ``supervision/urls.py``).
"""

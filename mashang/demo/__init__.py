"""The demo zone: Chinese reference data and a generator that plays a year of real use.

``mashang load_demo`` fills an empty database with a Guangdong development zone — its
units and their heads, demand categories with their limits, about 200 enterprises with
valid unified social credit codes, the people of every role — and then about 3,000
demands filed and handled over the twelve months before ``--until``. Every demand and
every move goes through :mod:`mashang.demands.services` with the acting person and an
explicit time, so the events, deadlines and versions are exactly what real use produces.
The same seed and the same ``--until`` give the same data.

Modules:

- :mod:`mashang.demo.reference` — units, categories, industries, names (static data)
- :mod:`mashang.demo.texts` — demand, reply and reason templates
- :mod:`mashang.demo.plan` — pure generation of enterprises, people and demand plans
- :mod:`mashang.demo.simulate` — plays the demand plans through the services
- :mod:`mashang.demo.projects` — investment projects and land-start runs (plan in
  :mod:`mashang.demo.project_plan`, texts in :mod:`mashang.demo.project_texts`)
- :mod:`mashang.demo.landstart` — land-supply batches (one completed, one waiting for its
  award) and the units' land-start capacities
- :mod:`mashang.demo.meetings` — the year's review meetings and their action items
  (texts in :mod:`mashang.demo.meeting_texts`)
- :mod:`mashang.demo.load` — checks, wipes and loads a database (used by the command)
"""

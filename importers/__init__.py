"""Importers: a team's history from another helpdesk (issue #15).

A *source* (``importers.sources``) reads another system and yields plain records
(``importers.records``) per kind, in dependency order: teams, users, tickets (each with its
messages), KB categories, KB articles. The *engine* (``importers.engine``) maps them onto ours
and writes them through the other apps' services and bulk paths, silently
(``tickets.events.history_replay``: nobody is told), idempotently (``ImportedRecord``: one row per
source key, kind and source id, with the fingerprint of what was written) and one transaction
per ticket, so a crash leaves no half ticket and a re-run continues where it stopped.

How the mapping works (the YAML file given with ``--map``; ``--dry-run`` prints the defaults,
built from the source's ``describe_values()``)::

    states:          # source state → ours: new / open / pending / resolved / closed
      Open: open
      Reopened: open
      Closed: closed
    priorities:      # source priority → P1..P4
      "1": P1
    queues:          # source queue/group/department → team (by name; created if missing) and tier
      Hardware: {team: Service Desk, tier: 1}
    categories:      # source category / help topic → our category (by name; created if missing)
      Printers: Printers
    custom_fields:   # source custom field → "tag" (tag "name-value"), "ignore"
      Contract: tag
    default_state: open       # used for a state not in the map (it is reported as unmapped)
    default_priority: P3

A value missing from the map is never a crash: the ticket gets the default and the value is
counted under "unmapped" in the report. Queues without an entry become a team of the same name
at tier 1; custom fields without an entry become tags. A customer's company becomes their
organisation (found by name, else made; their first one is their primary one) and stays a tag
``company-<name>`` on their tickets.
"""

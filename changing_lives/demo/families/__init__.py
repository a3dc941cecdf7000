"""Demo families: a deterministic generator and a bulk loader, for `seed_demo`.

Family number i of an authority is generated from its own random stream, seeded by
(seed, authority, i), so it is the same whatever else is loaded and however many families
are asked for. Its LA family ID is `DEMO-F{i:06d}`; the loader generates only the numbers an
authority does not hold yet, so a second run adds nothing.

Identifiers are not drawn at random: their bodies are numbered by (family, member), so no two
demo members of an authority can share one, whatever seeds were used. Every value is made
with the check-digit helpers of `families.identifiers` and checked by its `clean_*` function
before it is stored.

Most families are also assessed, from a stream of their own (so tuning it never changes the
people): criteria that fit each member, the decision made by `eligibility.rules.decide` as
the services make it, now and then a team manager's override, and a status history whose
every move `eligibility.status.next_status` allows, with its support periods. Nothing is
dated after the `today` the loader is given.

Each period of support that had ended by then has a progress return, from a third stream:
the values `progress.due.questions_for` asks, each passing `progress.values.clean_value`,
mostly complete, some left in progress or never started, as real caseloads are.
"""

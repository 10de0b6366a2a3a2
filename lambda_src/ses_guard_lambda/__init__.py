"""The pause function. A record flows one way through these modules (open them in this order):

1. ``handler``: the entry point; splits the invocation into records, binds the request id to every
   log line (``log``), runs each record, publishes the report (``report``), fails only broken records.
2. ``events``: parses a record (SNS, alarm action, EventBridge) into one ``AlarmEvent``, once.
3. ``verify``: the only module that asks AWS before a pause, in order: ``decision.screen`` (pure, the
   event alone), ``cloudwatch_alarm`` (the alarm's definition, state and tags), ``decision.decide``
   (pure), ``alarm_definition`` (the alarm is the one the deployed policy, ``deployed_policy``, made),
   ``fleet`` (explicit per-set policies win over the fleet), the target's state (``ses_actions``),
   ``ses_datapoints`` (SES's own datapoints, replayed through the deployed alarm, as evidence).
4. ``ses_actions``: the writes (pause the account or one set), idempotent; ``notices`` caps and
   deduplicates refusal notices.
Around them: ``config`` (environment and the deployed manifest), ``clients``, ``budget`` (throttling
within the invocation's time), ``paging`` (every NextToken loop). The rules, names, queries and the
alarm evaluation engine come from the policy model ``ses_guard_policy`` (shipped in the same zip).
"""

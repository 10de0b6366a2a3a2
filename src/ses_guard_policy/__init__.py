"""The guard's policy model: every rule, name, query and the alarm evaluation engine, written once.

Import-free (the standard library only, and only relative imports inside the package), so every part
uses it at no cost: the constructs (synth), the module generator (plan-time validation), the function
(the modules it imports are shipped in its package), the operator tool and the checkov policy pack
(which holds a generated copy, ``policies/sesrg/ses_guard_policy``; a test keeps the two equal).

- ``contract``: names (tags, scopes, tiers, actions, metrics, environment, files) shared by all parts;
- ``rules``: every input rule as data (kind, bounds or pattern, sentence) with its Python check;
- ``alarm_names``: the alarm-name shapes, built and parsed;
- ``fleet_query``: the Metrics Insights query over every configuration set, built and parsed;
- ``evaluation``: CloudWatch's metric alarm evaluation (M of N, missing data), replayed;
- ``manifest``: the guard's deployed policy as one versioned JSON document.
"""

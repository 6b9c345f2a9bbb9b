"""Incident and restore drills: declarative runbooks executed against moto or a sandbox account.

Layout: `definition` loads and validates runbooks/<name>.yaml; `registry` maps the action
and probe names a runbook uses to the functions in `aws/<service>.py`; `runner` executes a
technical drill against a target (`local_target` = moto's server, `aws_target` = a confirmed
sandbox account); `tabletop` walks participants through a tabletop exercise; `journal`
writes and loads the JSON journal every run leaves behind.
"""

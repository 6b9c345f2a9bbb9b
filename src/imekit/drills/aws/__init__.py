"""Actions and probes, one module per AWS service. Each function takes the DrillContext first.

Rules every function follows: it touches only resources this run created (it checks the
`imekit-drill=<run id>` tag before changing or deleting anything that already exists); it
raises DrillStepError with a message naming the resource when it cannot do its job; teardown
functions treat an absent resource as already cleaned up; nothing returned or noted holds a
secret or PHI (the drills seed only synthetic, obviously fake documents).
"""

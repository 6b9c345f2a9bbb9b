"""checkov checks shipped with the kit, for what checkov lacks and the IME platform needs.

checkov loads this folder with `--external-checks-dir` inside its own isolated
environment: the Python files here import checkov and run only there, never in the kit's
own environment. Ids are CKV_IME_<n>; controls/checkov.yaml maps them to controls.
"""

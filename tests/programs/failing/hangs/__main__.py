"""Never finishes, and leaves a child process behind: both must be killed.

The child proves it is alive by rewriting a heartbeat file (a pid would not do: inside a
PID namespace the program sees other numbers than the test does)."""

import subprocess
import sys
import time

import pulumi

beat_file = pulumi.Config().require("beatFile")
HEARTBEAT = (
    "import sys, time\n"
    "while True:\n"
    "    open(sys.argv[1], 'w').write(repr(time.time()))\n"
    "    time.sleep(0.05)\n"
)
subprocess.Popen([sys.executable, "-c", HEARTBEAT, beat_file])
while True:
    time.sleep(0.05)

"""Never finishes, and leaves a child process behind: both must be killed."""

import subprocess
import sys
import time

import pulumi

pid_file = pulumi.Config().require("pidFile")
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
with open(pid_file, "w") as handle:
    handle.write(str(child.pid))
while True:
    time.sleep(0.05)

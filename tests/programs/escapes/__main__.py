"""Finishes at once, but leaves two processes behind, each rewriting a heartbeat file:
- a plain background child, in the program's process group, holding its stdout and stderr;
- a daemon that left the group and the session (fork, setsid, fork), as malware would.
synth must return as soon as the program is done and neither process may outlive it."""

import os
import subprocess
import sys

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
HEARTBEAT = (
    "import sys, time\n"
    "while True:\n"
    "    open(sys.argv[1], 'w').write(repr(time.time()))\n"
    "    time.sleep(0.05)\n"
)

subprocess.Popen([sys.executable, "-c", HEARTBEAT, config.require("childBeat")])

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.execv(sys.executable, [sys.executable, "-c", HEARTBEAT, config.require("daemonBeat")])
    os._exit(0)

aws.s3.Bucket("left-behind")

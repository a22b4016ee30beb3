"""The trust boundary: submission code runs only in children of a zygote, isolated.

client: the grader's side (Sandbox). zygote: the process that imported torch once and forks
a child per probe call (warmup: what it imports ahead). child: what a child does once
isolated. isolation, view and permissions: how a child is cut off from the host. protocol:
the framed messages between them. limits: the resource and time limits of a child. portable
and worker: where nothing can isolate (the public checks on Windows, macOS, containers),
spawned workers instead of a zygote's children.
"""

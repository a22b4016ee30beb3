import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2)
        for path in ("@MARKER@", "/tmp/autograder-hostile-marker"):
            try:
                with open(path, "w") as file:
                    file.write("still alive")
            except OSError:
                pass
        while True:
            time.sleep(1)
    os._exit(0)

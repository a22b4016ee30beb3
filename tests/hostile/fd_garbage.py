import os

for fd in range(0, 1024):
    try:
        os.write(fd, b"\x00garbage\xff" * 100)
    except OSError:
        pass

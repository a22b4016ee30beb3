import os

for _ in range(12):
    try:
        os.fork()
    except OSError:
        break

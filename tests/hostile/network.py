import socket

for host in ("127.0.0.1", "localhost"):
    try:
        with socket.create_connection((host, @PORT@), timeout=1) as connection:
            connection.sendall(b"stolen")
    except OSError:
        pass

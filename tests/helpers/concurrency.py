import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def at_once(function, arguments):
    """Call function(argument) for every argument in its own thread, released together."""
    barrier = threading.Barrier(len(arguments))

    def run(argument):
        try:
            barrier.wait(timeout=30)
            return function(argument)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments))

import os
import socket
import subprocess
import sys

from common.leases import held_by_a_live_sibling


def test_a_live_process_of_this_node_holds_its_lease():
    assert held_by_a_live_sibling(f"{socket.gethostname()}/{os.getppid()}") is True


def test_a_dead_process_of_this_node_holds_nothing():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert held_by_a_live_sibling(f"{socket.gethostname()}/{child.pid}") is False


def test_this_process_does_not_block_itself():
    assert held_by_a_live_sibling(f"{socket.gethostname()}/{os.getpid()}") is False


def test_another_nodes_process_is_not_judged_from_here():
    assert held_by_a_live_sibling(f"celery@elsewhere/{os.getppid()}") is False


def test_an_empty_owner_holds_nothing():
    assert held_by_a_live_sibling("") is False

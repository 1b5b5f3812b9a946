import os
import socket
import subprocess
import sys

from common.leases import held_by_a_live_sibling, held_by_another_delivery, is_retry_of, lease_task_of


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


def test_a_claim_records_the_retry_number_of_its_delivery():
    assert (lease_task_of("t1", 0), lease_task_of("t1", 2), lease_task_of(None, 3)) == ("t1", "t1~2", "")


def test_a_later_retry_of_the_same_task_takes_over_a_live_sibling_a_duplicate_does_not():
    live_sibling = f"{socket.gethostname()}/{os.getppid()}"
    # the first execution (retries 0) raised a transient error; its retry lands on the other pool process
    assert is_retry_of("t1", task_id="t1", retries=1) is True
    assert (
        held_by_another_delivery(lease_task="t1", lease_owner=live_sibling, task_id="t1", retries=1) is False
    )
    # the same delivery twice (the outbox published it again) while the first still runs
    assert (
        held_by_another_delivery(lease_task="t1", lease_owner=live_sibling, task_id="t1", retries=0) is True
    )
    assert (
        held_by_another_delivery(lease_task="t1~2", lease_owner=live_sibling, task_id="t1", retries=2) is True
    )
    # another task's lease is never a retry of this one
    assert is_retry_of("t2~1", task_id="t1", retries=5) is False

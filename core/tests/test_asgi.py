"""core.asgi's request threads: kept between requests, but never one still busy with a request's step."""

import threading

from core.asgi import RequestThreads


def test_an_idle_thread_is_kept_and_handed_out_again():
    threads = RequestThreads(keep=2)
    thread = threads.take()
    thread.submit(lambda: None).result()

    threads.give_back(thread)

    assert threads.take() is thread


def test_a_thread_still_running_a_step_is_not_handed_to_another_request():
    threads = RequestThreads(keep=2)
    thread = threads.take()
    release = threading.Event()
    step = thread.submit(release.wait, 10)  # a view still waiting on its upstream after its client left

    threads.give_back(thread)
    other = threads.take()
    release.set()

    assert other is not thread
    assert step.result() is True  # it finished all the same
    assert thread.pending == 0


def test_no_more_than_keep_threads_wait_idle():
    threads = RequestThreads(keep=1)
    first, second = threads.take(), threads.take()

    threads.give_back(first)
    threads.give_back(second)

    assert threads.idle == [first]
    assert second._shutdown

"""The load test's figures (bench/load.py): nearest-rank percentiles and the per-kind summary."""

from bench.load import Summary, percentile, summarize


def test_percentile_of_no_samples_is_none():
    assert percentile([], 50) is None


def test_percentile_of_one_sample_is_that_sample_at_every_rank():
    assert [percentile([0.4], p) for p in (1, 50, 95, 99, 100)] == [0.4, 0.4, 0.4, 0.4, 0.4]


def test_percentiles_of_one_to_a_hundred_are_the_ranks_themselves():
    samples = [float(v) for v in range(100, 0, -1)]  # unsorted on purpose
    assert [percentile(samples, p) for p in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]


def test_percentile_rounds_the_rank_up_to_a_measured_sample():
    # 95% of 10 samples is rank 9.5: the 10th sample, never an interpolated value
    samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert (percentile(samples, 50), percentile(samples, 95), percentile(samples, 91)) == (5, 10, 10)
    assert percentile(samples, 90) == 9


def test_summary_counts_errors_and_takes_percentiles_over_every_request():
    samples = [(0.1, True), (0.2, True), (0.3, False), (0.4, True)]
    assert summarize(samples) == Summary(count=4, errors=1, p50=0.2, p95=0.4, p99=0.4)


def test_summary_of_no_requests():
    assert summarize([]) == Summary(count=0, errors=0, p50=None, p95=None, p99=None)

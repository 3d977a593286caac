"""The CURVE bench measures what it says: both links, both modes, their ratio (figures are not asserted)."""

from bench.wire import bench_curve


def test_the_curve_bench_reports_plain_and_encrypted_round_trips_on_both_links():
    r = bench_curve(n=200, rounds=2)
    assert r["message_bytes"] > 500
    for link in ("ipc", "tcp"):
        f = r[link]
        assert f["plain"]["median_us"] > 0 and f["curve"]["median_us"] > 0
        for mode in ("plain", "curve"):
            assert f[mode]["p99_us"] >= f[mode]["median_us"]  # percentiles of real samples, in order

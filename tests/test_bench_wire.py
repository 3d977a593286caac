"""The CURVE bench measures what it says: both links, both modes, their ratio (figures are not asserted)."""

from bench.wire import bench_curve


def test_the_curve_bench_reports_plain_and_encrypted_round_trips_on_both_links():
    r = bench_curve(n=200, rounds=2)
    assert r["message_bytes"] > 500
    for link in ("ipc", "tcp"):
        f = r[link]
        assert f["plain"]["median_us"] > 0 and f["curve"]["median_us"] > 0
        assert f["curve_over_plain"] == f["curve"]["median_us"] / f["plain"]["median_us"]

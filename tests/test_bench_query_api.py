"""The query benchmark's reading of wrk: figures taken from captured output, no servers."""

import pytest

from bench.query_api import WrkFigures, _difference, lua_script, median_figures, parse_wrk

CAPTURED = """\
Running 2s test @ http://127.0.0.1:18001/v1/recommendations?state=USA&mechanism=upr&hrd=direct
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    49.58ms   33.01ms 270.31ms   91.81%
    Req/Sec   359.46    121.54   550.00     76.92%
  Latency Distribution
     50%   36.09ms
     75%   56.77ms
     90%   74.74ms
     99%    1.98s
  1409 requests in 2.02s, 55.49MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    697.77
Transfer/sec:     27.48MB
"""


def test_parse_wrk_reads_rate_percentiles_in_ms_and_failures() -> None:
    figures = parse_wrk(CAPTURED)
    assert figures == WrkFigures(
        rate=697.77, p50_ms=36.09, p99_ms=1980.0, requests=1409, non_2xx=4, socket_errors=3
    )
    assert figures.failures == 7


def test_parse_wrk_without_failures_and_in_microseconds() -> None:
    output = CAPTURED.replace("36.09ms", "905.00us").replace("  Non-2xx or 3xx responses: 4\n", "")
    output = output.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "")
    figures = parse_wrk(output)
    assert figures.p50_ms == pytest.approx(0.905)
    assert figures.failures == 0


def test_parse_wrk_refuses_output_without_latency_distribution() -> None:
    with pytest.raises(ValueError, match="wrk --latency"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_median_figures_takes_each_figure_s_median_and_sums_failures() -> None:
    runs = [
        WrkFigures(rate=100.0, p50_ms=10.0, p99_ms=90.0, requests=500, non_2xx=1, socket_errors=0),
        WrkFigures(rate=300.0, p50_ms=30.0, p99_ms=50.0, requests=1500, non_2xx=0, socket_errors=2),
        WrkFigures(rate=200.0, p50_ms=20.0, p99_ms=70.0, requests=1000, non_2xx=0, socket_errors=0),
    ]
    assert median_figures(runs) == WrkFigures(
        rate=200.0, p50_ms=20.0, p99_ms=70.0, requests=3000, non_2xx=1, socket_errors=2
    )


def test_lua_script_lists_every_path_and_refuses_unencoded_ones() -> None:
    script = lua_script(["/v1/stats?group_by=state", "/v1/recommendations?q=d%C3%A9f"], 2)
    assert '"/v1/recommendations?q=d%C3%A9f"' in script
    assert "#paths / 2" in script
    with pytest.raises(ValueError, match="URL-encoded"):
        lua_script(['/v1/recommendations?q="x"'], 2)


def test_difference_holds_the_api_fields_to_their_order_not_a_column_s_json() -> None:
    suivi = {"items": [{"id": 1, "hrd_reasons": [{"source": "tag", "match": "x"}]}]}
    reordered_reason = {"items": [{"id": 1, "hrd_reasons": [{"match": "x", "source": "tag"}]}]}
    reordered_item = {"items": [{"hrd_reasons": [{"source": "tag", "match": "x"}], "id": 1}]}
    assert _difference(suivi, reordered_reason, ordered=3) is None
    assert "fields" in str(_difference(suivi, reordered_item, ordered=3))
    assert ".items[0].id: 1 (Suivi) != 2" in str(
        _difference(suivi, {"items": [{**suivi["items"][0], "id": 2}]}, ordered=3)
    )

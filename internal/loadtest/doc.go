// Package loadtest is the built-in load test of OmniVibe Pro (`omnivibe loadtest`).
//
// It runs the scenario of the first version's performance report (two kinds of
// virtual user, 70 % regular and 30 % power users, with the report's task weights
// and wait times) against one or more base URLs, in Locust's closed model (N users
// with think times, or --no-wait for saturation) or in an open model (--rate R:
// requests start on a fixed schedule and latency is measured from the scheduled
// start, so a stalled server cannot hide its queueing).
//
// Latencies go into HDR histograms (3 significant digits), recorded into sharded,
// mutex-guarded interval buffers that a collector swaps out and merges once a
// second, so recording costs a few tens of nanoseconds and workers do not contend.
// At the end it prints a Locust-style console table and writes the files a Locust
// user already knows (<prefix>_stats.csv, <prefix>_stats_history.csv,
// <prefix>_failures.csv with Locust's exact columns), a JSON summary and a
// self-contained HTML report, and checks --slo targets so it can gate CI.
//
// Main is the entry point the omnivibe command wires as its loadtest subcommand.
package loadtest

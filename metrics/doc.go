// Package metrics exposes phxserver's Prometheus metrics from a private registry.
//
// The node's counters are read at scrape time by a custom collector (no cost on the hot
// path): connections by transport and dialect, joins and refusals by reason, messages in,
// broadcasts, deliveries, frames out, slow-consumer disconnects, trigger denials, channels,
// channel members and presence entries. Trigger and webhook latencies are observed through
// ObserveTrigger and ObserveWebhook, which the trigger and webhook runners call; this
// package does not import them. README.md lists every metric.
package metrics

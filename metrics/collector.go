package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "phxserver"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

// nodeCollector turns the node's atomic counters into metrics on every scrape.
type nodeCollector struct {
	src Source

	connections    *prometheus.Desc
	channels       *prometheus.Desc
	members        *prometheus.Desc
	presence       *prometheus.Desc
	draining       *prometheus.Desc
	joins          *prometheus.Desc
	refusals       *prometheus.Desc
	messagesIn     *prometheus.Desc
	broadcasts     *prometheus.Desc
	deliveries     *prometheus.Desc
	framesOut      *prometheus.Desc
	slow           *prometheus.Desc
	triggerDenials *prometheus.Desc
}

func newNodeCollector(src Source) *nodeCollector {
	return &nodeCollector{
		src:            src,
		connections:    desc("connections", "Connected sockets by transport and dialect.", "transport", "dialect"),
		channels:       desc("channels", "Channels (topics) with at least one member on this node."),
		members:        desc("channel_members", "Channel memberships on this node (one socket joined to one topic)."),
		presence:       desc("presence_entries", "Presence entries tracked over all topics (all nodes of the cluster)."),
		draining:       desc("draining", "1 while the node drains for shutdown, else 0."),
		joins:          desc("joins_total", "Successful channel joins."),
		refusals:       desc("join_refusals_total", "Refused channel joins by reason.", "reason"),
		messagesIn:     desc("messages_in_total", "Client messages accepted and published."),
		broadcasts:     desc("broadcasts_total", "Events published (client messages and server broadcasts)."),
		deliveries:     desc("deliveries_total", "Event frames queued to members: messages out, server broadcasts and presence diffs."),
		framesOut:      desc("frames_out_total", "All frames queued to sockets (events, replies, presence)."),
		slow:           desc("slow_consumer_disconnects_total", "Sockets closed because their outbound queue overflowed (the frame is dropped)."),
		triggerDenials: desc("trigger_denials_total", "Joins and messages refused by a trigger."),
	}
}

// Describe implements prometheus.Collector.
func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.connections, c.channels, c.members, c.presence, c.draining,
		c.joins, c.refusals, c.messagesIn, c.broadcasts, c.deliveries, c.framesOut, c.slow, c.triggerDenials} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for key, n := range c.src.ConnectionsBy() {
		gauge(c.connections, float64(n), labelValue(key.Transport), labelValue(key.Dialect))
	}
	topics := c.src.TopicCounts()
	members := 0
	for _, n := range topics {
		members += n
	}
	gauge(c.channels, float64(len(topics)))
	gauge(c.members, float64(members))
	gauge(c.presence, float64(presenceEntries(c.src)))
	gauge(c.draining, boolValue(c.src.Draining()))
	counter(c.joins, st.Joins.Load())
	for reason, n := range st.Refusals() {
		counter(c.refusals, n, labelValue(reason))
	}
	counter(c.messagesIn, st.MessagesIn.Load())
	counter(c.broadcasts, st.Broadcasts.Load())
	counter(c.deliveries, st.Deliveries.Load())
	counter(c.framesOut, st.FramesOut.Load())
	counter(c.slow, st.SlowDisconnects.Load())
	counter(c.triggerDenials, st.TriggerDenials.Load())
}

// presenceEntries sums the presence snapshots of every tracked topic; computed at scrape time.
func presenceEntries(src Source) int {
	tr := src.Tracker()
	if tr == nil {
		return 0
	}
	total := 0
	for _, topic := range tr.Topics() {
		if snap := tr.Snapshot(topic); snap != nil {
			total += snap.Len()
		}
	}
	return total
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// labelValue keeps label values valid UTF-8 and short: refusal reasons may carry text from
// custom handlers, and an invalid value would make the whole scrape fail.
func labelValue(v string) string {
	const maxLen = 128
	if v == "" {
		return "unknown"
	}
	if len(v) > maxLen {
		v = v[:maxLen]
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Trigger outcomes accepted by ObserveTrigger; any other value is recorded as "other".
const (
	TriggerAllow   = "allow"
	TriggerDeny    = "deny"
	TriggerError   = "error"
	TriggerTimeout = "timeout"
)

// Webhook outcomes accepted by ObserveWebhook; any other value is recorded as "other".
const (
	WebhookOK      = "ok"
	WebhookError   = "error"
	WebhookTimeout = "timeout"
	// WebhookDropped is a delivery abandoned without a request (queue full, shutdown); it
	// counts as a failure and is not observed in the latency histogram.
	WebhookDropped = "dropped"
)

const outcomeOther = "other"

// recorder holds the histograms fed by the trigger and webhook runners.
type recorder struct {
	triggerDuration *prometheus.HistogramVec
	triggerFailures *prometheus.CounterVec
	webhookDuration *prometheus.HistogramVec
	webhookFailures *prometheus.CounterVec
}

func newRecorder() *recorder {
	return &recorder{
		triggerDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "trigger_duration_seconds",
			Help: "Trigger function run time by function and outcome (allow, deny, error, timeout).",
			// Built-in functions take microseconds; remote ones up to their timeout.
			Buckets: prometheus.ExponentialBuckets(0.00005, 4, 10),
		}, []string{"function", "outcome"}),
		triggerFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "trigger_failures_total",
			Help: "Trigger runs that failed (error or timeout) by function and outcome.",
		}, []string{"function", "outcome"}),
		webhookDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "webhook_duration_seconds",
			Help:    "Webhook delivery time (all attempts) by outcome (ok, error, timeout).",
			Buckets: prometheus.DefBuckets,
		}, []string{"outcome"}),
		webhookFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_failures_total",
			Help: "Webhook deliveries that failed by outcome (error, timeout, dropped).",
		}, []string{"outcome"}),
	}
}

func (r *recorder) collectors() []prometheus.Collector {
	return []prometheus.Collector{r.triggerDuration, r.triggerFailures, r.webhookDuration, r.webhookFailures}
}

func knownOutcome(outcome string, known ...string) string {
	for _, k := range known {
		if outcome == k {
			return outcome
		}
	}
	return outcomeOther
}

// ObserveTrigger records one trigger run of function that ended with outcome after d. It is
// safe for concurrent use and a no-op on a nil *Metrics.
func (m *Metrics) ObserveTrigger(function, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	fn := labelValue(function)
	outcome = knownOutcome(outcome, TriggerAllow, TriggerDeny, TriggerError, TriggerTimeout)
	m.rec.triggerDuration.WithLabelValues(fn, outcome).Observe(d.Seconds())
	if outcome != TriggerAllow && outcome != TriggerDeny {
		m.rec.triggerFailures.WithLabelValues(fn, outcome).Inc()
	}
}

// ObserveWebhook records one webhook delivery that ended with outcome after d. It is safe for
// concurrent use and a no-op on a nil *Metrics.
func (m *Metrics) ObserveWebhook(outcome string, d time.Duration) {
	if m == nil {
		return
	}
	outcome = knownOutcome(outcome, WebhookOK, WebhookError, WebhookTimeout, WebhookDropped)
	if outcome != WebhookDropped {
		m.rec.webhookDuration.WithLabelValues(outcome).Observe(d.Seconds())
	}
	if outcome != WebhookOK {
		m.rec.webhookFailures.WithLabelValues(outcome).Inc()
	}
}

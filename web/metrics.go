package web

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// routeUnmatched labels requests no pattern matched, so that scanners
// probing random paths cannot blow up the label cardinality.
const routeUnmatched = "unmatched"

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics registers the HTTP collectors on reg; nil reg collects without
// exposing. A second router on the same registry shares the collectors.
func newMetrics(reg prometheus.Registerer) *metrics {
	labels := []string{"route", "method", "status"}
	return &metrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by matched route pattern, method and status.",
		}, labels)),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by matched route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, labels)),
	}
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("web: register metrics: " + err.Error())
	}
	return c
}

func (m *metrics) observe(route, method string, status int, elapsed time.Duration) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, s).Inc()
	m.duration.WithLabelValues(route, method, s).Observe(elapsed.Seconds())
}

// routeLabel is the matched ServeMux pattern ("GET /api/users/{id}").
func routeLabel(s *requestState) string {
	if s == nil || s.pattern == "" {
		return routeUnmatched
	}
	return s.pattern
}

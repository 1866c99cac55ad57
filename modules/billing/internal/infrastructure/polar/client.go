package polar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// maxBody bounds what is read of one answer; Polar's objects are a few KB.
const maxBody = 1 << 20

// maxDetail bounds Polar's error detail as it is shown to the caller.
const maxDetail = 300

// refusal is an answer of Polar's other than 2xx. It is only ever the cause
// of a kernel error, so it is logged, never shown.
type refusal struct {
	method, path string
	status       int
	// code is Polar's "error" (ResourceNotFound, AlreadyCanceledSubscription,
	// …), "" for validation errors.
	code   string
	detail string
}

func (r *refusal) Error() string {
	s := fmt.Sprintf("polar %s %s: %d", r.method, r.path, r.status)
	if r.code != "" {
		s += " " + r.code
	}
	if r.detail != "" {
		s += ": " + r.detail
	}
	return s
}

func unavailable(cause error) error { return domain.ErrProviderUnavailable.WithCause(cause) }

// call sends one request to Polar and decodes a 2xx JSON answer into out
// (when out is not nil). Every error it returns is a kernel error; a
// non-2xx answer's *refusal is its cause. onSubscription says the path
// names a subscription, so 404 means domain.ErrUnknownSubscription.
func (p *Provider) call(ctx context.Context, method, path string, in, out any, onSubscription bool) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return kernel.Internal(fmt.Errorf("polar %s %s: encode: %w", method, path, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return kernel.Internal(fmt.Errorf("polar %s %s: %w", method, path, err))
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := p.hc.Do(req)
	if err != nil {
		// Connection refused, DNS, TLS, the client's timeout or ctx: the
		// *url.Error names the URL but never the Authorization header.
		return unavailable(fmt.Errorf("polar %s %s: %w", method, path, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return unavailable(fmt.Errorf("polar %s %s: read answer: %w", method, path, err))
	}

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return unavailable(fmt.Errorf("polar %s %s: decode answer: %w", method, path, err))
		}
		return nil
	}

	re := &refusal{method: method, path: path, status: resp.StatusCode}
	re.code, re.detail = errorBody(raw)
	return mapRefusal(re, resp.Header.Get("Retry-After"), onSubscription)
}

// mapRefusal turns a non-2xx answer into the port's errors.
func mapRefusal(re *refusal, retryAfter string, onSubscription bool) error {
	switch s := re.status; {
	case s == http.StatusNotFound && onSubscription:
		return domain.ErrUnknownSubscription.WithCause(re)
	case s == http.StatusUnauthorized:
		// A wrong or revoked token: nothing the caller can correct.
		return unavailable(fmt.Errorf("POLAR_ACCESS_TOKEN rejected: %w", re))
	case s == http.StatusTooManyRequests:
		e := domain.ErrProviderUnavailable.WithCause(re)
		if n, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && n > 0 {
			e.RetryAfterSeconds = n
		}
		return e
	case s == http.StatusConflict:
		// SubscriptionLocked: the subscription has an update pending.
		return kernel.Conflict("billing.provider_conflict", detailOr(re, "The payment provider has a change of this subscription pending.")).WithCause(re)
	case s >= 400 && s < 500:
		return kernel.Invalid("billing.provider_refused", detailOr(re, "The payment provider refused the request.")).WithCause(re)
	default:
		// 5xx, and any 1xx/3xx that net/http did not follow.
		return unavailable(re)
	}
}

func detailOr(re *refusal, fallback string) string {
	if re.detail == "" {
		return fallback
	}
	return "The payment provider refused the request: " + re.detail
}

// errorBody reads Polar's error answers: {"error": "ResourceNotFound",
// "detail": "Not found"} for its own errors, and FastAPI's
// {"detail": [{"loc": ["body", "seats"], "msg": "…", "type": "…"}]} for
// validation (422).
func errorBody(raw []byte) (code, detail string) {
	var b struct {
		Error  string          `json:"error"`
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(raw, &b) != nil {
		return "", ""
	}
	var s string
	if json.Unmarshal(b.Detail, &s) == nil {
		return b.Error, clip(s)
	}
	var items []struct {
		Loc []any  `json:"loc"`
		Msg string `json:"msg"`
	}
	if json.Unmarshal(b.Detail, &items) == nil {
		parts := make([]string, 0, len(items))
		for _, it := range items {
			loc := make([]string, 0, len(it.Loc))
			for _, l := range it.Loc {
				loc = append(loc, fmt.Sprint(l))
			}
			if len(loc) > 0 {
				parts = append(parts, strings.Join(loc, ".")+": "+it.Msg)
			} else {
				parts = append(parts, it.Msg)
			}
		}
		return b.Error, clip(strings.Join(parts, "; "))
	}
	return b.Error, ""
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxDetail {
		return s
	}
	// Cut on a rune boundary.
	cut := maxDetail
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

package usage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/web"
)

// A handler that returns CheckAndIncrement's refusal, however wrapped,
// answers 402 with the quota's members; Go callers read the same values
// with errors.As.
func ExampleQuotaExceeded() {
	var err error = &usage.QuotaExceeded{Meter: "tickets_created", Limit: 50, Used: 50,
		ResetsAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	err = fmt.Errorf("create ticket: %w", err)

	var qe *usage.QuotaExceeded
	fmt.Println(errors.As(err, &qe), qe.Limit-qe.Used, errors.Is(err, usage.ErrQuotaExceeded))

	body, _ := json.MarshalIndent(web.ProblemFrom(context.Background(), err), "", "  ")
	fmt.Println(string(body))
	// Output:
	// true 0 true
	// {
	//   "type": "about:blank",
	//   "title": "Payment Required",
	//   "status": 402,
	//   "detail": "The plan's quota of 50 tickets_created is used up until 2026-02-01T00:00:00Z.",
	//   "code": "usage.quota_exceeded",
	//   "message": "The plan's quota of 50 tickets_created is used up until 2026-02-01T00:00:00Z.",
	//   "requestId": "",
	//   "limit": 50,
	//   "meter": "tickets_created",
	//   "resetsAt": "2026-02-01T00:00:00Z",
	//   "used": 50
	// }
}

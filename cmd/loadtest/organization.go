package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy"
)

// orgMembersSize is the organization org-members lists: main and 19 more.
const orgMembersSize = 20

// activeCookie is tenancy's active-organization cookie.
const activeCookie = "groundwork.active_organization"

// prepareOrganization has main create an organization; 19 more users sign
// up and join it. Joining is an invitation the invitee accepts from a
// verified address, which the run cannot receive (it sends no email), so
// members are added through tenancy's Go API, as a product's own code
// would.
func (t *target) prepareOrganization(ctx context.Context, run string, tenancy *tenancy.Module) error {
	var buf bytes.Buffer
	resp, err := t.post(ctx, "/api/organizations", map[string]string{"name": "Load Test " + run}, &buf)
	if err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	var org struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(buf.Bytes(), &org); err != nil || org.ID == "" {
		return fmt.Errorf("create organization: unexpected answer %q", buf.Bytes())
	}
	t.org = org.ID
	for _, c := range resp.Cookies() {
		if c.Name == activeCookie && c.Value != "" {
			t.active = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if t.active == nil {
		return fmt.Errorf("create organization: no %s cookie", activeCookie)
	}
	orgID, err := kernel.ParseID[kernel.OrganizationKind](org.ID)
	if err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	mainID, err := kernel.ParseID[kernel.UserKind](t.main.ID)
	if err != nil {
		return fmt.Errorf("main user: %w", err)
	}
	for i := range orgMembersSize - 1 {
		cr := credentials{Email: fmt.Sprintf("member-%d-%s@loadtest.invalid", i, run), Password: "load-test-" + run, Name: fmt.Sprintf("Member %d", i)}
		m, err := signUp(ctx, t.client, t.base, cr)
		if err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		id, err := kernel.ParseID[kernel.UserKind](m.ID)
		if err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		if err := tenancy.AddMember(ctx, mainID, orgID, id); err != nil {
			return fmt.Errorf("add member: %w", err)
		}
	}
	return nil
}

// post sends body as JSON with main's session (and active organization,
// once there is one).
func (t *target) post(ctx context.Context, path string, body any, buf *bytes.Buffer) (*http.Response, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", t.base)
	req.AddCookie(t.main.Cookie)
	if t.active != nil {
		req.AddCookie(t.active)
	}
	return call(t.client, req, buf)
}

// orgMembers is an organization-scoped authenticated GET: the session,
// the membership and its grants, then a page of the 20 members with their
// profiles.
func (t *target) orgMembers(ctx context.Context, w int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/api/organizations/"+t.org+"/members?limit=20", nil)
	if err != nil {
		return err
	}
	req.AddCookie(t.main.Cookie)
	req.AddCookie(t.active)
	if _, err := call(t.client, req, &t.bufs[w]); err != nil {
		return err
	}
	// Counting the members of every answer would cost the client more than
	// the bare scenario's client spends; one answer in 32 is checked, and
	// every answer must be as long as a full page.
	body := t.bufs[w].Bytes()
	if len(body) < orgMembersSize*200 {
		return fmt.Errorf("org-members: a %d-byte answer is too short for %d members", len(body), orgMembersSize)
	}
	if t.checked.Add(1)%32 == 1 {
		if n := bytes.Count(body, []byte(`"userId"`)); n != orgMembersSize {
			return fmt.Errorf("org-members: %d members listed, want %d", n, orgMembersSize)
		}
	}
	return nil
}

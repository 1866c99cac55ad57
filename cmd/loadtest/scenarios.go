package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
)

// The scenarios, in their default order.
const (
	scenarioGetSession = "get-session"
	scenarioBare       = "bare"
	scenarioSignIn     = "sign-in"
	scenarioHash       = "hash"
	scenarioOrgMembers = "org-members"
)

var scenarioNames = []string{scenarioGetSession, scenarioBare, scenarioSignIn, scenarioHash, scenarioOrgMembers}

func isScenario(name string) bool { return slices.Contains(scenarioNames, name) }

// target is what the scenarios drive: the server, a client and the
// accounts made for the run.
type target struct {
	base   string
	client *http.Client
	// main is the user of get-session and bare.
	main account
	// org is the organization of org-members: main owns it, with 19 other
	// members; active is the active-organization cookie naming it.
	org    string
	active *http.Cookie
	// checked counts org-members answers, every 32nd of which is counted
	// through.
	checked atomic.Uint64
	// signIn are the users sign-in cycles through.
	signIn []account
	next   atomic.Uint64

	bufs []bytes.Buffer // one per worker
}

// scenario returns the workers and operation of the scenario called name.
func (t *target) scenario(name string, connections int) (workers int, do op) {
	switch name {
	case scenarioGetSession:
		return connections, t.getSession
	case scenarioBare:
		return connections, t.bare
	case scenarioSignIn:
		return connections, t.signInOnce
	case scenarioHash:
		return runtime.NumCPU(), hashOnce
	case scenarioOrgMembers:
		return connections, t.orgMembers
	}
	panic("loadtest: unknown scenario " + name)
}

// nullBody is get-session's answer without a session.
var nullBody = []byte("null")

func (t *target) getSession(ctx context.Context, w int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/api/auth/get-session", nil)
	if err != nil {
		return err
	}
	req.AddCookie(t.main.Cookie)
	if _, err := call(t.client, req, &t.bufs[w]); err != nil {
		return err
	}
	if bytes.Equal(bytes.TrimSpace(t.bufs[w].Bytes()), nullBody) {
		return errors.New("get-session: no session for a valid cookie")
	}
	return nil
}

func (t *target) bare(ctx context.Context, w int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/bench/bare/"+t.main.ID, nil)
	if err != nil {
		return err
	}
	_, err = call(t.client, req, &t.bufs[w])
	return err
}

func (t *target) signInOnce(ctx context.Context, w int) error {
	a := t.signIn[int(t.next.Add(1)-1)%len(t.signIn)]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/api/auth/sign-in/email", bytes.NewReader(a.signInBody))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := call(t.client, req, &t.bufs[w])
	if err != nil {
		return err
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return nil
		}
	}
	return fmt.Errorf("sign-in %s: no %s cookie", a.Email, sessionCookie)
}

package web_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

func TestReply(t *testing.T) {
	t.Parallel()
	errGone := kernel.Gone("tickets.closed", "The ticket is closed.")
	wrapped := fmt.Errorf("get ticket: %w", errGone)
	for _, tc := range []struct {
		name    string
		v       string
		err     error
		want    *ticket
		wantErr error
	}{
		{name: "value", v: "VPN down", want: &ticket{Subject: "VPN down"}},
		{name: "zero value", v: "", want: &ticket{}},
		{name: "error", v: "ignored", err: errGone, wantErr: errGone},
		{name: "wrapped error", err: wrapped, wantErr: errGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := web.Reply(tc.v, tc.err, ticketJSON)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || err != tc.err || out != nil {
					t.Fatalf("Reply = %+v, %v; want nil, %v untouched", out, err, tc.err)
				}
				return
			}
			if err != nil || out == nil || out.Body != *tc.want {
				t.Fatalf("Reply = %+v, %v; want %+v", out, err, *tc.want)
			}
		})
	}
}

func TestReplyItems(t *testing.T) {
	t.Parallel()
	errDown := kernel.Unavailable("tickets.down", "Try again later.")
	for _, tc := range []struct {
		name    string
		list    []string
		err     error
		want    []ticket
		wantErr error
	}{
		{name: "in order", list: []string{"b", "a"}, want: []ticket{{Subject: "b"}, {Subject: "a"}}},
		{name: "nil is empty", list: nil, want: []ticket{}},
		{name: "error", list: []string{"a"}, err: errDown, wantErr: errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := web.ReplyItems(tc.list, tc.err, ticketJSON)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || err != tc.err || out != nil {
					t.Fatalf("ReplyItems = %+v, %v; want nil, %v untouched", out, err, tc.err)
				}
				return
			}
			if err != nil || out == nil || out.Body.Items == nil || !slices.Equal(out.Body.Items, tc.want) {
				t.Fatalf("ReplyItems = %+v, %v; want %+v", out, err, tc.want)
			}
		})
	}
}

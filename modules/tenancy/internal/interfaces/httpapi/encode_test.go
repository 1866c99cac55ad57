package httpapi

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMembersPageEncodesLikeEncodingJSON(t *testing.T) {
	at := time.Date(2026, 1, 15, 9, 0, 0, 123456000, time.UTC)
	suspended := at.Add(48 * time.Hour)
	for _, p := range []membersPage{
		{Items: []Member{}},
		{Items: []Member{{ID: "mem_1", OrganizationID: "org_1", UserID: "usr_1", Role: "owner", CreatedAt: at, Status: statusActive,
			User: MemberUser{ID: "usr_1", Email: "a@b.c", Name: `Ann "<&>" Ünï`}}}},
		{Items: []Member{
			{ID: "mem_1", Role: "admin", CreatedAt: at, User: MemberUser{Image: "https://x/y.png?a=1&b=2"}},
			{ID: "mem_2", Role: "member", CreatedAt: at.Add(time.Hour), Status: statusSuspended, SuspendedAt: &suspended, User: MemberUser{Name: "bad \xff"}},
		}, NextCursor: "bWVt"},
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON\n got %s\nwant %s", got, want)
		}
	}
}

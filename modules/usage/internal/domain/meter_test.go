package domain_test

import (
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

func TestValidKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"tickets_created": true, "a": true, "api_calls2": true, strings.Repeat("a", 64): true,
		"": false, strings.Repeat("a", 65): false, "Tickets": false, "1tickets": false, "_tickets": false,
		"tickets_": false, "tickets__created": false, "tickets-created": false, "tickets.created": false, "ticket s": false,
	} {
		if got := domain.ValidKey(key); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestMeterValidate(t *testing.T) {
	t.Parallel()
	if err := (domain.Meter{Key: "tickets_created", Unit: "tickets", Window: domain.Monthly}).Validate(); err != nil {
		t.Fatalf("valid meter: %v", err)
	}
	err := domain.Meter{Key: "Bad Key", Unit: strings.Repeat("u", 65)}.Validate()
	if kernel.CodeOf(err) != domain.CodeInvalidMeter {
		t.Fatalf("code = %q (%v)", kernel.CodeOf(err), err)
	}
	var fields []string
	for _, f := range kernel.FieldsOf(err) {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "key,unit,window" {
		t.Errorf("fields = %s", got)
	}
}

func TestParseWindow(t *testing.T) {
	t.Parallel()
	for _, w := range domain.Windows {
		if got, err := domain.ParseWindow(w.String()); err != nil || got != w {
			t.Errorf("ParseWindow(%q) = %v, %v", w, got, err)
		}
	}
	if _, err := domain.ParseWindow("weekly"); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("ParseWindow(weekly) = %v", err)
	}
}

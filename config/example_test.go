package config_test

import (
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/config"
)

func ExampleLoad() {
	environment := map[string]string{
		"PORT":        "9090",
		"WEB_ORIGINS": "https://App.Example.com, http://localhost:3000",
	}
	lookup := func(key string) (string, bool) { v, ok := environment[key]; return v, ok } // os.LookupEnv in main

	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Server.Addr(), cfg.Server.WebOrigins, cfg.Database.SQLitePath())
	// Output: :9090 [https://app.example.com http://localhost:3000] data/groundwork.db
}

func ExampleLoad_badValue() {
	environment := map[string]string{"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_live pasted twice"}
	_, err := config.Load(func(key string) (string, bool) { v, ok := environment[key]; return v, ok })
	fmt.Println(err)
	// Output: STRIPE_SECRET_KEY="<redacted>": must not contain spaces or control characters
}

// A product module reads its own variables with Load's rules and one-line
// errors, then checks once.
func ExampleSettings() {
	environment := map[string]string{"HELPDESK_LIST_LIMIT": "50", "HELPDESK_SLA": "4h"}
	lookup := func(key string) (string, bool) { v, ok := environment[key]; return v, ok } // app.Deps.Env in a module

	s := config.NewSettings(lookup)
	limit := s.Int("HELPDESK_LIST_LIMIT", 100, 1, 1000)
	sla := s.Duration("HELPDESK_SLA", 24*time.Hour)
	team := s.String("HELPDESK_TEAM", "support")
	fmt.Println(limit, sla, team, s.Err())

	environment["HELPDESK_LIST_LIMIT"] = "all"
	s = config.NewSettings(lookup)
	s.Int("HELPDESK_LIST_LIMIT", 100, 1, 1000)
	fmt.Println(s.Err())
	// Output:
	// 50 4h0m0s support <nil>
	// HELPDESK_LIST_LIMIT="all": must be an integer between 1 and 1000
}

package config_test

import (
	"fmt"

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

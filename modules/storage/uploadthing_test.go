package storage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs/utfstest"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// With STORAGE_PROVIDER=uploadthing an avatar is uploaded through
// UploadThing's prepare-upload call and a PUT to its ingest host, served
// from its file host, and the replaced one deleted through deleteFiles; a
// refused key stops start-up.
func TestUploadThing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		fake := utfstest.New(t)
		a := testkit.New(t, dialect, testkit.WithEnv("STORAGE_PROVIDER", "uploadthing", "UPLOADTHING_TOKEN", utfstest.Token(utfstest.APIKey),
			"UPLOADTHING_API_BASE", fake.API.URL, "UPLOADTHING_FILE_HOST", fake.Files.URL))
		acc := a.SignUp(t, testkit.NewEmail("ut"), "Uma", true)
		url := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 64, 64, 1), "image/png"), "image")
		if !strings.HasPrefix(url, fake.Files.URL+"/f/avatars~"+acc.ID.String()+"-") {
			t.Fatalf("url = %q", url)
		}
		if st, _, h := fetch(t, url); st != http.StatusOK || h.Get("Content-Type") != "image/png" {
			t.Fatalf("GET %s = %d %v", url, st, h)
		}
		if len(fake.CallsTo("/v7/prepareUpload")) != 1 {
			t.Fatalf("prepareUpload calls = %d", len(fake.CallsTo("/v7/prepareUpload")))
		}
		urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 64, 64, 2), "image/png"), "image")
		testkit.Eventually(t, "the replaced avatar deleted at UploadThing", func() bool {
			st, _, _ := fetch(t, url)
			return st == http.StatusNotFound
		})
	})
}

func TestUploadThing_refusedKeyStopsStart(t *testing.T) {
	fake := utfstest.New(t)
	a := testkit.New(t, db.SQLite, testkit.WithoutMigrations(), testkit.WithEnv("STORAGE_PROVIDER", "uploadthing",
		"UPLOADTHING_TOKEN", utfstest.Token("sk_live_not_the_key"), "UPLOADTHING_API_BASE", fake.API.URL, "UPLOADTHING_FILE_HOST", fake.Files.URL))
	if err := a.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	err := a.Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "storage: uploadthing provider") || strings.Contains(err.Error(), "sk_live_not_the_key") {
		t.Fatalf("Start = %v", err)
	}
}

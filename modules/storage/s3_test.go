package storage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// fakeS3 is an in-process S3 (gofakes3) holding the bucket "avatars".
func fakeS3(t *testing.T) (*httptest.Server, *s3.Client) {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
	})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("avatars")}); err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// TestMain gives the process the AWS credentials the s3 provider's SDK
// reads from the environment, as in production (the subtests run in
// parallel, so t.Setenv cannot).
func TestMain(m *testing.M) {
	os.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	os.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST")
	os.Exit(m.Run())
}

// s3Env is the configuration of the s3 provider over srv.
func s3Env(t *testing.T, srv *httptest.Server, bucket string) testkit.Option {
	return testkit.WithEnv("STORAGE_PROVIDER", "s3", "S3_BUCKET", bucket, "AWS_REGION", "us-east-1",
		"S3_ENDPOINT", srv.URL, "S3_FORCE_PATH_STYLE", "true", "S3_PUBLIC_URL", srv.URL+"/"+bucket)
}

// With STORAGE_PROVIDER=s3 an avatar goes to the bucket through the real
// SDK, its URL is the public base's, and the replaced one is deleted from
// the bucket; when the bucket's server fails, the upload is 503 and the
// user's image stays as it was.
func TestS3(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		srv, client := fakeS3(t)
		a := testkit.New(t, dialect, s3Env(t, srv, "avatars"))
		if a.Storage().Provider() != "s3" {
			t.Fatalf("provider = %s", a.Storage().Provider())
		}
		acc := a.SignUp(t, testkit.NewEmail("s3"), "Sam", true)
		url := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 64, 64, 1), "image/png"), "image")
		key := strings.TrimPrefix(url, srv.URL+"/avatars/")
		if key == url || !strings.HasPrefix(key, "avatars/"+acc.ID.String()+"-") {
			t.Fatalf("url = %q", url)
		}
		head, err := client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("avatars"), Key: aws.String(key)})
		if err != nil || aws.ToString(head.ContentType) != "image/png" {
			t.Fatalf("HeadObject = %+v, %v", head, err)
		}
		if st, _, _ := fetch(t, url); st != http.StatusOK {
			t.Fatalf("GET %s = %d", url, st)
		}
		next := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 64, 64, 2), "image/png"), "image")
		testkit.Eventually(t, "the replaced avatar deleted from the bucket", func() bool {
			_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("avatars"), Key: aws.String(key)})
			return err != nil
		})

		srv.Close()
		putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 64, 64, 3), "image/png").RequireProblem(t, http.StatusServiceUnavailable, "storage.unavailable")
		if img := sessionImage(t, acc.Client); img == nil || *img != next {
			t.Fatalf("image after a provider failure = %v, want %s", img, next)
		}
	})
}

// A bucket that does not exist stops start-up, naming the provider.
func TestS3_missingBucketStopsStart(t *testing.T) {
	srv, _ := fakeS3(t)
	a := testkit.New(t, db.SQLite, s3Env(t, srv, "no-such-bucket"), testkit.WithoutMigrations())
	if err := a.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	err := a.Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "storage: s3 provider") || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Fatalf("Start = %v", err)
	}
	if strings.Contains(err.Error(), "SECRETTEST") {
		t.Fatalf("the error shows the secret: %v", err)
	}
}

// Package s3store keeps the storage module's objects in an S3 bucket, or in
// any server that speaks the S3 API (Cloudflare R2, MinIO), with the AWS SDK
// for Go v2. It is the Provider behind STORAGE_PROVIDER=s3.
//
// Compatibility. Request checksums are computed and response checksums
// validated only when an operation requires them: the SDK's default
// (CRC32 trailers on every upload) is refused by R2 and by older MinIO
// releases. Uploads are signed over their SHA-256 instead, so the body
// must be replayable: a body that is an io.ReadSeeker is sent as it is,
// any other is buffered in memory first (objects are at most a few MiB;
// the application bounds their size before Put).
//
// Public objects. Put sends no ACL: buckets created since April 2023 have
// ACLs disabled and refuse any. Making public objects readable is the
// bucket policy's job (s3:GetObject on the bucket's keys) or a CDN's in
// front of a private bucket (CloudFront with origin access control, an R2
// custom domain); set PublicURL to the CDN's base URL in that case.
// Public objects carry application.PublicCacheControl, private ones
// application.PrivateCacheControl, and private objects are fetched
// through presigned GET URLs.
//
// Credentials come from Options.Credentials or, when it is nil, from the
// SDK's default chain (environment, shared config and credentials files,
// SSO, web identity, the instance or task role). They are resolved on the
// first call, never in New, and no error carries them.
//
// Errors. Every failure to reach the bucket or be served by it is wrapped
// with application.Unavailable (503 storage.unavailable at the edge), the
// SDK's error kept as the cause for the logs; a missing key on Open is
// application.ErrNotFound. A missing bucket is Unavailable, not NotFound:
// it is a configuration fault, not a missing file. The SDK's standard
// retryer (three attempts with jittered backoff) retries throttling,
// 5xx and connection failures: every call here is idempotent.
package s3store

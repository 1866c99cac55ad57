// Package utfs keeps the storage module's objects at UploadThing
// (uploadthing.com), written by hand over its REST API with net/http: the
// Provider behind STORAGE_PROVIDER=uploadthing. It speaks the protocol of
// UploadThing's v7 SDK.
//
// The token. UPLOADTHING_TOKEN is the base64 of a JSON object {"apiKey":
// "sk_…", "appId": "…", "regions": ["sea1", …]} (v7 also allows an
// "ingestHost", default ingest.uploadthing.com, which the SDK joins to the
// first region as https://{region}.{ingestHost}). DecodeToken checks it;
// New does no I/O.
//
// Keys. UploadThing names files with keys of its own; the storage's key
// becomes the file's customId (see CustomID: the key itself, or its
// SHA-256 when it is longer than 128 bytes), so every call addresses the
// file by the storage's key and no database maps one to the other.
//
// What it calls. API requests are POSTs of JSON to APIBase
// (https://api.uploadthing.com) with the headers x-uploadthing-api-key (the
// token's apiKey), x-uploadthing-version and x-uploadthing-be-adapter:
//
//   - POST /v6/listFiles {"limit": 1}: Check, the cheapest authenticated
//     call.
//   - POST /v6/deleteFiles {"customIds": [id]} → {"success",
//     "deletedCount"}: Delete, and Put before it uploads.
//   - POST /v7/prepareUpload {"fileName", "fileSize", "fileType",
//     "customId", "contentDisposition": "inline", "acl": "public-read" |
//     "private"} → {"key", "url"}: url is a presigned ingest URL on the
//     app's region (https://{region}.ingest.uploadthing.com/{key}?expires=
//     …&x-ut-…&signature=hmac-sha256=…). The SDK builds that URL itself;
//     asking the API for it spares this package UploadThing's file-key
//     scheme (Sqids of the app id) at the cost of one round trip.
//   - PUT {url}: the bytes, as the multipart form field "file", with
//     "Range: bytes=0-", as the SDK's uploadWithoutProgress sends them.
//   - GET {FileHost}/f/{customId}: Open. Files are served at
//     https://{appId}.ufs.sh/f/{fileKey} and at /f/{customId} alike
//     (https://utfs.io/f/{fileKey} is the older, still served, form).
//
// Private files are read at a URL signed locally, as the SDK's
// UTApi.generateSignedURL does: "?expires={Unix ms}&signature=hmac-sha256=
// {hex}", the HMAC-SHA256 under the API key of the URL up to expires.
// POST /v6/requestFileAccess would sign one remotely, but only with
// expiries the app's dashboard allows.
//
// Replacing. A customId names one file of the app, so Put deletes the file
// under the key before uploading the new one: an object is briefly missing
// while it is replaced, and a failed upload leaves none. Keys are
// content-addressed, so a replacement normally carries the same bytes.
// UploadThing has been reported (pingdotgg/uploadthing issues 888 and 948)
// to refuse a customId for a while after its file is deleted, until the
// deleted record is cleaned up; such a Put fails with ErrUnavailable and
// UploadThing's message.
//
// What UploadThing decides, not Put. Private uploads need the app to allow
// ACL overrides (dashboard, Regions and ACL); UploadThing's CDN sets the
// Cache-Control of the files it serves, which this package cannot set to
// application.PublicCacheControl; a deleted file may stay in the CDN's
// cache for a while.
//
// Errors. Every failure to reach UploadThing or be served by it wraps
// application.ErrUnavailable (503 storage.unavailable), with an *APIError
// naming the endpoint and UploadThing's error code and message as the
// cause; a 404 on Open is application.ErrNotFound. No error, and no
// String of Token or Provider, contains the API key, and no error contains
// a signed URL. Timeouts are the callers' contexts'.
package utfs
